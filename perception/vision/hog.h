// C interface to the parts of OpenCV's HOG people detector that gocv v0.31
// wraps wrongly or not at all (see hog.go).
#ifndef AVFUSION_HOG_H
#define AVFUSION_HOG_H
#ifdef __cplusplus
extern "C" {
#endif

// avf_hit is one detection window: pixel rectangle and SVM margin.
typedef struct {
	int x, y, w, h;
	double weight;
} avf_hit;

// avf_hog_default_people copies cv::HOGDescriptor::getDefaultPeopleDetector()
// into dst (capacity cap) and returns the coefficient count, or minus the
// count when cap is too small.
int avf_hog_default_people(float *dst, int cap);

// avf_hog_new builds a 64x128 HOG descriptor with the given linear SVM
// (n coefficients, the last one the bias) searching at most levels pyramid
// levels. It returns NULL and writes the
// reason to err when OpenCV refuses.
void *avf_hog_new(const float *svm, int n, int levels, char *err, int errcap);

// avf_hog_free releases a descriptor from avf_hog_new.
void avf_hog_free(void *hog);

// avf_hog_detect runs detectMultiScale on the cv::Mat at mat and writes up
// to cap hits to out. It returns the number of hits found (possibly more
// than cap), or -1 with the reason in err when OpenCV throws.
int avf_hog_detect(void *hog, void *mat, double hit_threshold, int stride,
                   double scale, double group_threshold, avf_hit *out, int cap,
                   char *err, int errcap);

#ifdef __cplusplus
}
#endif
#endif
