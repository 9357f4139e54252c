#ifndef AVF_OGG_H
#define AVF_OGG_H

#include <stddef.h>

// What avf_ogg_decode returns beside libvorbisfile's own error codes.
#define AVF_OGG_TOO_LONG (-1000)

// A decoded file: frames × channels samples, interleaved, malloc'd.
typedef struct {
	int channels;
	long rate;
	size_t frames;
	float *samples;
} avf_ogg_sound;

// avf_ogg_decode decodes an Ogg Vorbis file held in memory, at most
// max_frames frames; 0 on success, a negative code otherwise.
int avf_ogg_decode(const unsigned char *p, size_t n, int max_frames, avf_ogg_sound *out);

#endif
