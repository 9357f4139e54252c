// C interface to OpenCV's chessboard detection and camera calibration,
// with every C++ exception caught (gocv v0.31 lets them abort).
#ifndef AVFUSION_CHESSBOARD_H
#define AVFUSION_CHESSBOARD_H
#ifdef __cplusplus
extern "C" {
#endif

// avf_find_chessboard looks for the cols x rows inner corners of a
// chessboard in the 8-bit grey or BGR cv::Mat at mat and refines them to
// sub-pixel accuracy. It writes cols*rows (x, y) pairs to out and returns
// 1 when found, 0 when not, -1 with the reason in err on an OpenCV error.
int avf_find_chessboard(void *mat, int cols, int rows, float *out, char *err, int errcap);

// avf_calibrate_camera runs cv::calibrateCamera on views views of n
// points each: board points obj (n x 3, the same for every view) and image
// points img (views x n x 2), for an image of w x h pixels, estimating
// k1, k2, p1, p2 (k3 fixed at 0). It writes the camera matrix to K (9, row-major), the
// distortion to D (5) and each view's RMS reprojection error to view_err,
// and returns the overall RMS error in pixels, or -1 with the reason in
// err.
double avf_calibrate_camera(int views, int n, const float *obj, const float *img, int w, int h,
                            double *K, double *D, double *view_err, char *err, int errcap);

#ifdef __cplusplus
}
#endif
#endif
