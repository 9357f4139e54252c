//go:build cgo

#include <cmath>
#include <cstring>
#include <exception>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "chessboard.h"

static void calib_err(char *err, int errcap, const char *msg) {
	if (errcap <= 0) return;
	std::strncpy(err, msg, errcap - 1);
	err[errcap - 1] = 0;
}

int avf_find_chessboard(void *mat, int cols, int rows, float *out, char *err, int errcap) {
	try {
		cv::Mat img = *(cv::Mat *)mat;
		cv::Mat grey;
		if (img.channels() == 3) {
			cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
		} else {
			grey = img;
		}
		std::vector<cv::Point2f> corners;
		bool found = cv::findChessboardCorners(grey, cv::Size(cols, rows), corners,
		                                       cv::CALIB_CB_ADAPTIVE_THRESH | cv::CALIB_CB_NORMALIZE_IMAGE);
		if (!found) return 0;
		cv::cornerSubPix(grey, corners, cv::Size(5, 5), cv::Size(-1, -1),
		                 cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 40, 0.001));
		for (size_t i = 0; i < corners.size(); i++) {
			out[2 * i] = corners[i].x;
			out[2 * i + 1] = corners[i].y;
		}
		return 1;
	} catch (const std::exception &e) {
		calib_err(err, errcap, e.what());
		return -1;
	}
}

double avf_calibrate_camera(int views, int n, const float *obj, const float *img, int w, int h,
                            double *K, double *D, double *view_err, char *err, int errcap) {
	try {
		std::vector<cv::Point3f> board(n);
		for (int i = 0; i < n; i++) board[i] = cv::Point3f(obj[3 * i], obj[3 * i + 1], obj[3 * i + 2]);
		std::vector<std::vector<cv::Point3f>> objs(views, board);
		std::vector<std::vector<cv::Point2f>> imgs(views, std::vector<cv::Point2f>(n));
		for (int v = 0; v < views; v++)
			for (int i = 0; i < n; i++)
				imgs[v][i] = cv::Point2f(img[(v * n + i) * 2], img[(v * n + i) * 2 + 1]);
		cv::Mat camera, dist;
		std::vector<cv::Mat> rvecs, tvecs;
		// k3 stays 0, as ROS's camera_calibration has it by default: a
		// sixth-order term fitted to corners that never reach the image
		// corners extrapolates wildly there.
		double rms = cv::calibrateCamera(objs, imgs, cv::Size(w, h), camera, dist, rvecs, tvecs, cv::CALIB_FIX_K3);
		for (int i = 0; i < 9; i++) K[i] = camera.at<double>(i / 3, i % 3);
		for (int i = 0; i < 5; i++) D[i] = i < (int)dist.total() ? dist.at<double>(i) : 0;
		for (int v = 0; v < views; v++) {
			std::vector<cv::Point2f> proj;
			cv::projectPoints(objs[v], rvecs[v], tvecs[v], camera, dist, proj);
			double sum = 0;
			for (int i = 0; i < n; i++) {
				cv::Point2f d = proj[i] - imgs[v][i];
				sum += d.x * d.x + d.y * d.y;
			}
			view_err[v] = std::sqrt(sum / n);
		}
		return rms;
	} catch (const std::exception &e) {
		calib_err(err, errcap, e.what());
		return -1;
	}
}
