//go:build cgo

#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include <opencv2/dnn.hpp>

#include "dnn.h"

static void dnn_err(char *err, int errcap, const char *msg) {
	if (errcap <= 0) return;
	std::strncpy(err, msg, errcap - 1);
	err[errcap - 1] = 0;
}

void *avf_dnn_load(const char *path, char *err, int errcap) {
	try {
		std::unique_ptr<cv::dnn::Net> net(new cv::dnn::Net(cv::dnn::readNetFromONNX(path)));
		if (net->empty()) {
			dnn_err(err, errcap, "the model has no layers");
			return nullptr;
		}
		return net.release();
	} catch (const std::exception &e) {
		dnn_err(err, errcap, e.what());
		return nullptr;
	}
}

void avf_dnn_free(void *net) { delete (cv::dnn::Net *)net; }

long avf_dnn_forward(void *net, void *mat, float *out, long cap, int *dims,
                     int *ndims, char *err, int errcap) {
	try {
		cv::dnn::Net *n = (cv::dnn::Net *)net;
		cv::Mat blob = cv::dnn::blobFromImage(*(cv::Mat *)mat, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false, CV_32F);
		n->setInput(blob);
		cv::Mat res = n->forward();
		if (res.type() != CV_32F || !res.isContinuous()) {
			res = res.clone();
			res.convertTo(res, CV_32F);
		}
		*ndims = res.dims < 8 ? res.dims : 8;
		for (int i = 0; i < *ndims; i++) dims[i] = res.size[i];
		long total = (long)res.total();
		std::memcpy(out, res.ptr<float>(), (total < cap ? total : cap) * sizeof(float));
		return total;
	} catch (const std::exception &e) {
		dnn_err(err, errcap, e.what());
		return -1;
	}
}

int avf_dnn_forward_outputs(void *net, void *mat, double scale,
                            const char **names, int n, float **outs,
                            const long *caps, long *totals, int *dims,
                            char *err, int errcap) {
	try {
		cv::dnn::Net *nt = (cv::dnn::Net *)net;
		cv::Mat blob = cv::dnn::blobFromImage(*(cv::Mat *)mat, scale, cv::Size(), cv::Scalar(), true, false, CV_32F);
		nt->setInput(blob);
		std::vector<cv::String> wanted(names, names + n);
		std::vector<cv::Mat> res;
		nt->forward(res, wanted);
		if ((int)res.size() != n) {
			dnn_err(err, errcap, "the network gave another number of outputs");
			return -1;
		}
		for (int k = 0; k < n; k++) {
			cv::Mat r = res[k];
			if (r.type() != CV_32F || !r.isContinuous()) {
				r = r.clone();
				r.convertTo(r, CV_32F);
			}
			for (int i = 0; i < 4; i++) dims[4 * k + i] = i < r.dims ? r.size[i] : 1;
			totals[k] = (long)r.total();
			std::memcpy(outs[k], r.ptr<float>(), (totals[k] < caps[k] ? totals[k] : caps[k]) * sizeof(float));
		}
		return 0;
	} catch (const std::exception &e) {
		dnn_err(err, errcap, e.what());
		return -1;
	}
}
