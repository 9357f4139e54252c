package kalman

import "gonum.org/v1/gonum/mat"

// Linear is a Kalman filter of any dimension for linear-Gaussian models,
// on gonum matrices: the reference the fixed-size EKF is checked against,
// and the filter for models that are linear already. The receiver holds
// the state; scratch space is reused between calls.
type Linear struct {
	X *mat.VecDense // mean
	P *mat.Dense    // covariance

	tmp, ap, pct, k, ks *mat.Dense
	s                   mat.SymDense
	chol                mat.Cholesky
	innov, pred         mat.VecDense
}

// NewLinear returns a filter starting at mean x0 with covariance p0.
func NewLinear(x0 *mat.VecDense, p0 mat.Matrix) *Linear {
	f := &Linear{X: mat.VecDenseCopyOf(x0), P: mat.DenseCopyOf(p0)}
	return f
}

// Predict applies x = A·x + b, P = A·P·Aᵀ + Q. b may be nil.
func (f *Linear) Predict(a mat.Matrix, b mat.Vector, q mat.Matrix) {
	f.pred.MulVec(a, f.X)
	if b != nil {
		f.pred.AddVec(&f.pred, b)
	}
	f.X.CopyVec(&f.pred)
	if f.ap == nil {
		f.ap, f.tmp = &mat.Dense{}, &mat.Dense{}
	}
	f.ap.Reset()
	f.ap.Mul(a, f.P)
	f.tmp.Reset()
	f.tmp.Mul(f.ap, a.T())
	f.P.Add(f.tmp, q)
}

// Update conditions the state on observation y = C·x + d + v, v ~ N(0, R).
// d may be nil. It returns ErrNotPositive when the innovation covariance
// is not positive definite (a numeric failure; the state is left
// unchanged).
func (f *Linear) Update(c mat.Matrix, d mat.Vector, r mat.Symmetric, y mat.Vector) error {
	// Innovation y - C·x - d and its covariance S = C·P·Cᵀ + R.
	f.innov.MulVec(c, f.X)
	if d != nil {
		f.innov.AddVec(&f.innov, d)
	}
	f.innov.SubVec(y, &f.innov)
	if f.pct == nil {
		f.pct, f.k, f.ks = &mat.Dense{}, &mat.Dense{}, &mat.Dense{}
	}
	f.pct.Reset()
	f.pct.Mul(f.P, c.T())
	var cpct mat.Dense
	cpct.Mul(c, f.pct)
	n := r.SymmetricDim()
	f.s.Reset()
	f.s.ReuseAsSym(n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			f.s.SetSym(i, j, (cpct.At(i, j)+cpct.At(j, i))/2+r.At(i, j))
		}
	}
	if ok := f.chol.Factorize(&f.s); !ok {
		return ErrNotPositive
	}
	// K = P·Cᵀ·S⁻¹, solved as S·Kᵀ = (P·Cᵀ)ᵀ.
	var kt mat.Dense
	if err := f.chol.SolveTo(&kt, f.pct.T()); err != nil {
		return ErrNotPositive
	}
	f.k.Reset()
	f.k.CloneFrom(kt.T())
	f.pred.MulVec(f.k, &f.innov)
	f.X.AddVec(f.X, &f.pred)
	// P = P - K·S·Kᵀ = P - K·(P·Cᵀ)ᵀ.
	f.ks.Reset()
	f.ks.Mul(f.k, f.pct.T())
	f.P.Sub(f.P, f.ks)
	return nil
}
