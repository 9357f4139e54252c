//go:build cgo

#include "ogg.h"

#include <stdlib.h>
#include <string.h>
#include <vorbis/vorbisfile.h>

// A file held in memory, read through libvorbisfile's callbacks.
typedef struct {
	const unsigned char *p;
	size_t n, off;
} avf_mem;

static size_t mem_read(void *dst, size_t size, size_t count, void *src) {
	avf_mem *m = src;
	size_t want = size * count, left = m->n - m->off;
	if (want > left) want = left;
	memcpy(dst, m->p + m->off, want);
	m->off += want;
	return size ? want / size : 0;
}

static int mem_seek(void *src, ogg_int64_t off, int whence) {
	avf_mem *m = src;
	ogg_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (ogg_int64_t)m->off : (ogg_int64_t)m->n;
	if (base + off < 0 || base + off > (ogg_int64_t)m->n) return -1;
	m->off = (size_t)(base + off);
	return 0;
}

static long mem_tell(void *src) { return (long)((avf_mem *)src)->off; }

int avf_ogg_decode(const unsigned char *p, size_t n, int max_frames, avf_ogg_sound *out) {
	avf_mem m = {p, n, 0};
	ov_callbacks cb = {mem_read, mem_seek, NULL, mem_tell};
	OggVorbis_File vf;
	int rc = ov_open_callbacks(&m, &vf, NULL, 0, cb);
	if (rc < 0) return rc;
	vorbis_info *info = ov_info(&vf, -1);
	out->channels = info->channels;
	out->rate = info->rate;
	out->frames = 0;
	out->samples = NULL;
	size_t cap = 0;
	for (;;) {
		float **pcm;
		int section;
		long got = ov_read_float(&vf, &pcm, 4096, &section);
		if (got == OV_HOLE) continue; // a gap in the stream: go on after it
		if (got < 0) { rc = (int)got; break; }
		if (got == 0) { rc = 0; break; }
		if (ov_info(&vf, -1)->channels != out->channels) { rc = OV_EBADHEADER; break; }
		if (out->frames + got > (size_t)max_frames) { rc = AVF_OGG_TOO_LONG; break; }
		if (out->frames + got > cap) {
			cap = 2 * (out->frames + got);
			float *grown = realloc(out->samples, cap * out->channels * sizeof(float));
			if (!grown) { rc = OV_EFAULT; break; }
			out->samples = grown;
		}
		for (long i = 0; i < got; i++)
			for (int c = 0; c < out->channels; c++)
				out->samples[(out->frames + i) * out->channels + c] = pcm[c][i];
		out->frames += got;
	}
	ov_clear(&vf);
	if (rc < 0) {
		free(out->samples);
		out->samples = NULL;
	}
	return rc;
}
