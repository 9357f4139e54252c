//go:build cgo

#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include <opencv2/objdetect.hpp>

#include "hog.h"

static void set_err(char *err, int errcap, const char *msg) {
	if (errcap <= 0) return;
	std::strncpy(err, msg, errcap - 1);
	err[errcap - 1] = 0;
}

int avf_hog_default_people(float *dst, int cap) {
	std::vector<float> coef = cv::HOGDescriptor::getDefaultPeopleDetector();
	int n = (int)coef.size();
	if (n > cap) return -n;
	std::memcpy(dst, coef.data(), n * sizeof(float));
	return n;
}

void *avf_hog_new(const float *svm, int n, int levels, char *err, int errcap) {
	try {
		std::unique_ptr<cv::HOGDescriptor> hog(new cv::HOGDescriptor());
		hog->nlevels = levels;
		hog->setSVMDetector(std::vector<float>(svm, svm + n));
		return hog.release();
	} catch (const std::exception &e) {
		set_err(err, errcap, e.what());
		return nullptr;
	}
}

void avf_hog_free(void *hog) { delete (cv::HOGDescriptor *)hog; }

int avf_hog_detect(void *hog, void *mat, double hit_threshold, int stride,
                   double scale, double group_threshold, avf_hit *out, int cap,
                   char *err, int errcap) {
	try {
		std::vector<cv::Rect> rects;
		std::vector<double> weights;
		((cv::HOGDescriptor *)hog)
		    ->detectMultiScale(*(cv::Mat *)mat, rects, weights, hit_threshold,
		                       cv::Size(stride, stride), cv::Size(0, 0), scale,
		                       group_threshold, false);
		int n = (int)rects.size();
		for (int i = 0; i < n && i < cap; i++) {
			out[i].x = rects[i].x;
			out[i].y = rects[i].y;
			out[i].w = rects[i].width;
			out[i].h = rects[i].height;
			out[i].weight = i < (int)weights.size() ? weights[i] : 0;
		}
		return n;
	} catch (const std::exception &e) {
		set_err(err, errcap, e.what());
		return -1;
	}
}
