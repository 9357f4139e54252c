//go:build cgo

#include <opencv2/core/utils/logger.hpp>

#include "opencvlog.h"

void avf_opencv_errors_only(void) {
	cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
}
