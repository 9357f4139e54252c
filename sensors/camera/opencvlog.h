// Turns OpenCV's own log down to errors.
#ifndef AVFUSION_OPENCVLOG_H
#define AVFUSION_OPENCVLOG_H
#ifdef __cplusplus
extern "C" {
#endif
void avf_opencv_errors_only(void);
#ifdef __cplusplus
}
#endif
#endif
