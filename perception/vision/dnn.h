// C interface to OpenCV's DNN module with every C++ exception caught: gocv
// v0.31 lets a bad model file abort the process (see dnn.go).
#ifndef AVFUSION_DNN_H
#define AVFUSION_DNN_H
#ifdef __cplusplus
extern "C" {
#endif

// avf_dnn_load reads an ONNX model. It returns NULL and writes the reason
// to err when OpenCV refuses the file.
void *avf_dnn_load(const char *path, char *err, int errcap);

// avf_dnn_free releases a network from avf_dnn_load.
void avf_dnn_free(void *net);

// avf_dnn_forward runs the network on the 8-bit BGR cv::Mat at mat, which
// must already have the network's input size: pixels are scaled by 1/255
// and swapped to RGB. The first output is copied to out (capacity cap
// floats) and its shape to dims (capacity 8, count in *ndims). It returns
// the output's element count (possibly more than cap), or -1 with the
// reason in err.
long avf_dnn_forward(void *net, void *mat, float *out, long cap, int *dims,
                     int *ndims, char *err, int errcap);

// avf_dnn_forward_outputs runs the network on the 8-bit BGR cv::Mat at
// mat (pixels multiplied by scale and swapped to RGB) and copies each of
// the n named outputs k to outs[k] (capacity caps[k] floats), its element
// count to totals[k] (possibly more than caps[k]) and its first four
// dimensions to dims[4k..4k+3]. It returns 0, or -1 with the reason in
// err.
int avf_dnn_forward_outputs(void *net, void *mat, double scale,
                            const char **names, int n, float **outs,
                            const long *caps, long *totals, int *dims,
                            char *err, int errcap);

#ifdef __cplusplus
}
#endif
#endif
