// See onnxrt.h. The C API is a table of function pointers (struct OrtApi)
// that only ever grows by appending, so a function's slot in it is fixed
// for good; the slots and signatures used here are those of the published
// onnxruntime_c_api.h, declared by hand for the few calls made.
#define _GNU_SOURCE // vasprintf
#include "onnxrt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct OrtStatus OrtStatus;
typedef struct OrtEnv OrtEnv;
typedef struct OrtSession OrtSession;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtAllocator OrtAllocator;

typedef struct {
	const void *(*GetApi)(uint32_t version);
	const char *(*GetVersionString)(void);
} OrtApiBase;

// Slots in struct OrtApi.
enum {
	SLOT_GetErrorMessage = 2,
	SLOT_CreateEnv = 3,
	SLOT_CreateSessionFromArray = 8,
	SLOT_Run = 9,
	SLOT_CreateSessionOptions = 10,
	SLOT_SetSessionGraphOptimizationLevel = 23,
	SLOT_SetIntraOpNumThreads = 24,
	SLOT_SetInterOpNumThreads = 25,
	SLOT_SessionGetInputCount = 30,
	SLOT_SessionGetOutputCount = 31,
	SLOT_SessionGetInputTypeInfo = 33,
	SLOT_SessionGetOutputTypeInfo = 34,
	SLOT_SessionGetInputName = 36,
	SLOT_SessionGetOutputName = 37,
	SLOT_CreateTensorWithDataAsOrtValue = 49,
	SLOT_CastTypeInfoToTensorInfo = 55,
	SLOT_GetTensorElementType = 60,
	SLOT_GetDimensionsCount = 61,
	SLOT_GetDimensions = 62,
	SLOT_CreateCpuMemoryInfo = 69,
	SLOT_AllocatorFree = 76,
	SLOT_GetAllocatorWithDefaultOptions = 78,
	SLOT_ReleaseStatus = 93,
	SLOT_ReleaseSession = 95,
	SLOT_ReleaseValue = 96,
	SLOT_ReleaseTypeInfo = 98,
	SLOT_ReleaseSessionOptions = 100,
	SLOT_AddSessionConfigEntry = 130,
};

enum {
	LOGGING_LEVEL_ERROR = 3,
	ENABLE_ALL_OPTIMIZATIONS = 99,
	ARENA_ALLOCATOR = 1,
	MEM_TYPE_DEFAULT = 0,
	ELEMENT_FLOAT = 1,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const void *const *api; // the OrtApi table, once loaded
static OrtEnv *env;
static OrtMemoryInfo *cpu;
static const char *lib_version;

#define CALL(slot, type) ((type)api[slot])

static char *msgf(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	char *out = NULL;
	if (vasprintf(&out, fmt, ap) < 0) out = NULL;
	va_end(ap);
	return out ? out : strdup("out of memory");
}

// fail turns a failed call's status into a message (NULL for success).
static char *fail(OrtStatus *st, const char *what) {
	if (!st) return NULL;
	const char *m = CALL(SLOT_GetErrorMessage, const char *(*)(const OrtStatus *))(st);
	char *out = msgf("%s: %s", what, m ? m : "no message");
	CALL(SLOT_ReleaseStatus, void (*)(OrtStatus *))(st);
	return out;
}

char *pw_ort_open(const char *path, uint32_t api_version, const char **version) {
	pthread_mutex_lock(&lock);
	char *err = NULL;
	if (api) goto done;
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *e = dlerror();
		err = msgf("cannot load it: %s", e ? e : "dlopen failed");
		goto done;
	}
	const OrtApiBase *(*get_base)(void) = (const OrtApiBase *(*)(void))dlsym(lib, "OrtGetApiBase");
	const OrtApiBase *base = get_base ? get_base() : NULL;
	if (!base) {
		err = msgf("it has no OrtGetApiBase: not ONNX Runtime");
		dlclose(lib);
		goto done;
	}
	const void *const *table = (const void *const *)base->GetApi(api_version);
	if (!table) {
		err = msgf("ONNX Runtime %s lacks C API version %u (posturewatch needs 1.20 or newer)",
		           base->GetVersionString(), api_version);
		dlclose(lib);
		goto done;
	}
	api = table;
	lib_version = base->GetVersionString();
	err = fail(CALL(SLOT_CreateEnv, OrtStatus *(*)(int, const char *, OrtEnv **))(LOGGING_LEVEL_ERROR, "posturewatch", &env),
	           "create the environment");
	if (!err)
		err = fail(CALL(SLOT_CreateCpuMemoryInfo, OrtStatus *(*)(int, int, OrtMemoryInfo **))(ARENA_ALLOCATOR, MEM_TYPE_DEFAULT, &cpu),
		           "describe CPU memory");
	if (err) api = NULL; // the library stays loaded: ONNX Runtime does not expect to be unloaded
done:
	if (!err) *version = lib_version;
	pthread_mutex_unlock(&lock);
	return err;
}

// pw_ort_io is one set of buffers for a graph's input and outputs, with
// the tensors wrapping them at the shapes in force.
typedef struct {
	OrtValue *in_value;
	float *in_buf;
	OrtValue **out_values;
	float **out_bufs;
} pw_ort_io;

struct pw_ort_graph {
	OrtSession *session;
	OrtSession *paired; // the model on fewer threads, for runs beside another model's (NULL: none)
	char *in_name;
	int in_rank;
	size_t in_cap; // floats allocated for the input, in each set
	unsigned in_free; // bit i: the model leaves input dimension i free
	int n_out;
	char **out_names;
	int *out_ranks;
	size_t *out_caps;
	int n_io;        // buffer sets: 1, or 2 with the twin's (pw_ort_graph_twin)
	pw_ort_io io[2];
};

static size_t elements(const int64_t *shape, int rank) {
	size_t n = 1;
	for (int i = 0; i < rank; i++) n *= (size_t)shape[i];
	return n;
}

static char *format_shape(const int64_t *shape, size_t rank) {
	char buf[160];
	size_t at = 0;
	buf[at++] = '[';
	for (size_t i = 0; i < rank && at < sizeof buf - 24; i++)
		at += (size_t)snprintf(buf + at, sizeof buf - at, i ? ",%lld" : "%lld", (long long)shape[i]);
	snprintf(buf + at, sizeof buf - at, "]");
	return strdup(buf);
}

// check_type compares a session input's or output's declared type with the
// float tensor of the given shape; *free_dims (if not NULL) gets bit i set
// for each dimension the model leaves free.
static char *check_type(OrtTypeInfo *info, const char *name, const int64_t *shape, int rank, unsigned *free_dims) {
	const OrtTensorTypeAndShapeInfo *t = NULL;
	char *err = fail(CALL(SLOT_CastTypeInfoToTensorInfo, OrtStatus *(*)(const OrtTypeInfo *, const OrtTensorTypeAndShapeInfo **))(info, &t), name);
	if (err) return err;
	if (!t) return msgf("%s is not a tensor", name);
	int type = 0;
	size_t n = 0;
	if ((err = fail(CALL(SLOT_GetTensorElementType, OrtStatus *(*)(const OrtTensorTypeAndShapeInfo *, int *))(t, &type), name))) return err;
	if (type != ELEMENT_FLOAT) return msgf("%s holds elements of type %d, want float32", name, type);
	if ((err = fail(CALL(SLOT_GetDimensionsCount, OrtStatus *(*)(const OrtTensorTypeAndShapeInfo *, size_t *))(t, &n), name))) return err;
	int64_t dims[16];
	if (n > 16) return msgf("%s has %zu dimensions", name, n);
	if ((err = fail(CALL(SLOT_GetDimensions, OrtStatus *(*)(const OrtTensorTypeAndShapeInfo *, int64_t *, size_t))(t, dims, n), name))) return err;
	int same = n == (size_t)rank;
	unsigned free_mask = 0;
	for (size_t i = 0; same && i < n; i++) {
		same = dims[i] == shape[i] || dims[i] < 0;
		if (dims[i] < 0) free_mask |= 1u << i;
	}
	if (free_dims) *free_dims = free_mask;
	if (same) return NULL;
	char *got = format_shape(dims, n), *want = format_shape(shape, (size_t)rank);
	err = msgf("%s has shape %s, want %s", name, got, want);
	free(got);
	free(want);
	return err;
}

typedef OrtStatus *(*count_fn)(const OrtSession *, size_t *);
typedef OrtStatus *(*name_fn)(const OrtSession *, size_t, OrtAllocator *, char **);
typedef OrtStatus *(*type_fn)(const OrtSession *, size_t, OrtTypeInfo **);

// find_and_check finds the session's input (or output) called name and
// checks its type.
static char *find_and_check(OrtSession *s, int output, const char *name, const int64_t *shape, int rank, unsigned *free_dims) {
	count_fn count = CALL(output ? SLOT_SessionGetOutputCount : SLOT_SessionGetInputCount, count_fn);
	name_fn get_name = CALL(output ? SLOT_SessionGetOutputName : SLOT_SessionGetInputName, name_fn);
	type_fn get_type = CALL(output ? SLOT_SessionGetOutputTypeInfo : SLOT_SessionGetInputTypeInfo, type_fn);
	OrtAllocator *alloc = NULL;
	char *err = fail(CALL(SLOT_GetAllocatorWithDefaultOptions, OrtStatus *(*)(OrtAllocator **))(&alloc), "allocator");
	if (err) return err;
	size_t n = 0;
	if ((err = fail(count(s, &n), "count the model's tensors"))) return err;
	if (!output && n != 1) return msgf("the model has %zu inputs, want 1", n);
	for (size_t i = 0; i < n; i++) {
		char *got = NULL;
		if ((err = fail(get_name(s, i, alloc, &got), "tensor name"))) return err;
		int match = got && strcmp(got, name) == 0;
		CALL(SLOT_AllocatorFree, OrtStatus *(*)(OrtAllocator *, void *))(alloc, got);
		if (!match) continue;
		OrtTypeInfo *info = NULL;
		if ((err = fail(get_type(s, i, &info), name))) return err;
		err = check_type(info, name, shape, rank, free_dims);
		CALL(SLOT_ReleaseTypeInfo, void (*)(OrtTypeInfo *))(info);
		return err;
	}
	return msgf("the model has no %s called %s", output ? "output" : "input", name);
}

// wrap makes a tensor of the given shape over buf (which holds at least as
// many floats).
static char *wrap(float *buf, const int64_t *shape, int rank, OrtValue **value) {
	return fail(CALL(SLOT_CreateTensorWithDataAsOrtValue,
	                 OrtStatus *(*)(const OrtMemoryInfo *, void *, size_t, const int64_t *, size_t, int, OrtValue **))(
	                cpu, buf, elements(shape, rank) * sizeof(float), shape, (size_t)rank, ELEMENT_FLOAT, value),
	            "create a tensor");
}

static char *new_tensor(const int64_t *shape, int rank, float **buf, size_t *cap, OrtValue **value) {
	size_t n = elements(shape, rank);
	*buf = calloc(n ? n : 1, sizeof(float));
	if (!*buf) return msgf("out of memory for a tensor of %zu floats", n);
	*cap = n;
	return wrap(*buf, shape, rank, value);
}

// new_session makes a session of the model on `threads` threads.
static char *new_session(const void *model, size_t len, int threads, OrtSession **out) {
	OrtSessionOptions *opt = NULL;
	char *err = fail(CALL(SLOT_CreateSessionOptions, OrtStatus *(*)(OrtSessionOptions **))(&opt), "session options");
	if (err) return err;
	typedef OrtStatus *(*set_int)(OrtSessionOptions *, int);
	typedef OrtStatus *(*set_entry)(OrtSessionOptions *, const char *, const char *);
	err = fail(CALL(SLOT_SetIntraOpNumThreads, set_int)(opt, threads), "threads");
	if (!err) err = fail(CALL(SLOT_SetInterOpNumThreads, set_int)(opt, 1), "threads");
	if (!err) err = fail(CALL(SLOT_SetSessionGraphOptimizationLevel, set_int)(opt, ENABLE_ALL_OPTIMIZATIONS), "optimisation level");
	// Worker threads that spin between runs would burn the CPU budget of a
	// program that analyses a frame every few seconds.
	if (!err) err = fail(CALL(SLOT_AddSessionConfigEntry, set_entry)(opt, "session.intra_op.allow_spinning", "0"), "spinning");
	if (!err) err = fail(CALL(SLOT_AddSessionConfigEntry, set_entry)(opt, "session.inter_op.allow_spinning", "0"), "spinning");
	if (!err)
		err = fail(CALL(SLOT_CreateSessionFromArray,
		                OrtStatus *(*)(const OrtEnv *, const void *, size_t, const OrtSessionOptions *, OrtSession **))(
		               env, model, len, opt, out),
		           "load the model");
	CALL(SLOT_ReleaseSessionOptions, void (*)(OrtSessionOptions *))(opt);
	return err;
}

char *pw_ort_graph_new(const void *model, size_t len, int threads,
                       const char *in_name, const int64_t *in_shape, int in_rank,
                       int n_out, const char *const *out_names,
                       const int64_t *out_shapes, const int *out_ranks,
                       pw_ort_graph **out) {
	*out = NULL;
	if (!api) return msgf("ONNX Runtime is not loaded");
	OrtSession *s = NULL;
	char *err = new_session(model, len, threads, &s);
	if (err) return err;

	pw_ort_graph *g = calloc(1, sizeof *g);
	if (!g) {
		CALL(SLOT_ReleaseSession, void (*)(OrtSession *))(s);
		return msgf("out of memory");
	}
	g->session = s;
	g->n_out = n_out;
	g->n_io = 1;
	pw_ort_io *io = &g->io[0];
	g->in_name = strdup(in_name);
	g->out_names = calloc((size_t)n_out, sizeof(char *));
	io->out_values = calloc((size_t)n_out, sizeof(OrtValue *));
	io->out_bufs = calloc((size_t)n_out, sizeof(float *));
	g->out_ranks = calloc((size_t)n_out, sizeof(int));
	g->out_caps = calloc((size_t)n_out, sizeof(size_t));
	if (!g->in_name || !g->out_names || !io->out_values || !io->out_bufs || !g->out_ranks || !g->out_caps)
		err = msgf("out of memory");
	g->in_rank = in_rank;
	if (!err) err = find_and_check(s, 0, in_name, in_shape, in_rank, &g->in_free);
	if (!err) err = new_tensor(in_shape, in_rank, &io->in_buf, &g->in_cap, &io->in_value);
	const int64_t *shape = out_shapes;
	for (int i = 0; !err && i < n_out; shape += out_ranks[i], i++) {
		g->out_ranks[i] = out_ranks[i];
		if (!(g->out_names[i] = strdup(out_names[i]))) err = msgf("out of memory");
		if (!err) err = find_and_check(s, 1, out_names[i], shape, out_ranks[i], NULL);
		if (!err) err = new_tensor(shape, out_ranks[i], &io->out_bufs[i], &g->out_caps[i], &io->out_values[i]);
	}
	if (err) {
		pw_ort_graph_free(g);
		return err;
	}
	*out = g;
	return NULL;
}

float *pw_ort_graph_input(pw_ort_graph *g, int io) { return g->io[io].in_buf; }
float *pw_ort_graph_output(pw_ort_graph *g, int io, int i) { return g->io[io].out_bufs[i]; }
unsigned pw_ort_graph_input_free(pw_ort_graph *g) { return g->in_free; }

// wrap_io makes a set's tensors at the shapes given into made[0..n_out]
// (the input's last); on failure it releases what it made.
static char *wrap_io(pw_ort_graph *g, pw_ort_io *io, const int64_t *in_shape, const int64_t *out_shapes, OrtValue **made) {
	char *err = wrap(io->in_buf, in_shape, g->in_rank, &made[g->n_out]);
	const int64_t *shape = out_shapes;
	for (int i = 0; !err && i < g->n_out; shape += g->out_ranks[i], i++) err = wrap(io->out_bufs[i], shape, g->out_ranks[i], &made[i]);
	if (err) {
		void (*release_value)(OrtValue *) = CALL(SLOT_ReleaseValue, void (*)(OrtValue *));
		for (int i = 0; i <= g->n_out; i++)
			if (made[i]) release_value(made[i]);
	}
	return err;
}

// check_fits says whether tensors of the shapes given fit the buffers
// allocated at load.
static char *check_fits(pw_ort_graph *g, const int64_t *in_shape, const int64_t *out_shapes) {
	if (elements(in_shape, g->in_rank) > g->in_cap) return msgf("input shape larger than its buffer");
	const int64_t *shape = out_shapes;
	for (int i = 0; i < g->n_out; shape += g->out_ranks[i], i++)
		if (elements(shape, g->out_ranks[i]) > g->out_caps[i]) return msgf("output %s larger than its buffer", g->out_names[i]);
	return NULL;
}

char *pw_ort_graph_reshape(pw_ort_graph *g, const int64_t *in_shape, const int64_t *out_shapes) {
	char *err = check_fits(g, in_shape, out_shapes);
	if (err) return err;
	// All the new tensors, of every set, are made before any old one goes,
	// so that a failure leaves the graph as it was.
	size_t per = (size_t)g->n_out + 1;
	OrtValue **made = calloc(per * (size_t)g->n_io, sizeof(OrtValue *));
	if (!made) return msgf("out of memory");
	int done = 0;
	for (; !err && done < g->n_io; done++) err = wrap_io(g, &g->io[done], in_shape, out_shapes, made + per * (size_t)done);
	void (*release_value)(OrtValue *) = CALL(SLOT_ReleaseValue, void (*)(OrtValue *));
	if (err) {
		for (int k = 0; k < done - 1; k++)
			for (size_t i = 0; i < per; i++) release_value(made[per * (size_t)k + i]);
		free(made);
		return err;
	}
	for (int k = 0; k < g->n_io; k++) {
		pw_ort_io *io = &g->io[k];
		for (int i = 0; i <= g->n_out; i++) {
			OrtValue **slot = i < g->n_out ? &io->out_values[i] : &io->in_value;
			release_value(*slot);
			*slot = made[per * (size_t)k + (size_t)i];
		}
	}
	free(made);
	return NULL;
}

char *pw_ort_graph_pair(pw_ort_graph *g, const void *model, size_t len, int threads) {
	if (g->paired) return msgf("the graph has its paired session already");
	return new_session(model, len, threads, &g->paired);
}

char *pw_ort_graph_twin(pw_ort_graph *g, const int64_t *in_shape, const int64_t *out_shapes) {
	if (g->n_io > 1) return msgf("the graph has its twin buffers already");
	char *err = check_fits(g, in_shape, out_shapes);
	if (err) return err;
	pw_ort_io *io = &g->io[1];
	io->in_buf = calloc(g->in_cap ? g->in_cap : 1, sizeof(float));
	io->out_values = calloc((size_t)g->n_out, sizeof(OrtValue *));
	io->out_bufs = calloc((size_t)g->n_out, sizeof(float *));
	if (!io->in_buf || !io->out_values || !io->out_bufs) err = msgf("out of memory");
	for (int i = 0; !err && i < g->n_out; i++)
		if (!(io->out_bufs[i] = calloc(g->out_caps[i] ? g->out_caps[i] : 1, sizeof(float)))) err = msgf("out of memory");
	OrtValue **made = err ? NULL : calloc((size_t)g->n_out + 1, sizeof(OrtValue *));
	if (!err && !made) err = msgf("out of memory");
	if (!err) err = wrap_io(g, io, in_shape, out_shapes, made);
	if (!err) {
		for (int i = 0; i < g->n_out; i++) io->out_values[i] = made[i];
		io->in_value = made[g->n_out];
		g->n_io = 2;
	}
	free(made);
	if (err) {
		for (int i = 0; io->out_bufs && i < g->n_out; i++) free(io->out_bufs[i]);
		free(io->in_buf);
		free(io->out_values);
		free(io->out_bufs);
		memset(io, 0, sizeof *io);
	}
	return err;
}

char *pw_ort_graph_run(pw_ort_graph *g, int paired, int set) {
	if (set < 0 || set >= g->n_io) return msgf("the graph has no buffer set %d", set);
	// The twin set runs in the paired session where there is one: two runs
	// at once share the threads as a run beside another model's does.
	OrtSession *s = (paired || set == 1) && g->paired ? g->paired : g->session;
	pw_ort_io *io = &g->io[set];
	// The outputs are given: ONNX Runtime writes into their buffers.
	return fail(CALL(SLOT_Run, OrtStatus *(*)(OrtSession *, const OrtRunOptions *, const char *const *, const OrtValue *const *,
	                                          size_t, const char *const *, size_t, OrtValue **))(
	                s, NULL, (const char *const *)&g->in_name, (const OrtValue *const *)&io->in_value, 1,
	                (const char *const *)g->out_names, (size_t)g->n_out, io->out_values),
	            "run the model");
}

void pw_ort_graph_free(pw_ort_graph *g) {
	if (!g) return;
	void (*release_value)(OrtValue *) = CALL(SLOT_ReleaseValue, void (*)(OrtValue *));
	for (int k = 0; k < 2; k++) {
		pw_ort_io *io = &g->io[k];
		for (int i = 0; i < g->n_out; i++) {
			if (io->out_values && io->out_values[i]) release_value(io->out_values[i]);
			if (io->out_bufs) free(io->out_bufs[i]);
		}
		if (io->in_value) release_value(io->in_value);
		free(io->in_buf);
		free(io->out_values);
		free(io->out_bufs);
	}
	for (int i = 0; g->out_names && i < g->n_out; i++) free(g->out_names[i]);
	free(g->in_name);
	free(g->out_names);
	free(g->out_ranks);
	free(g->out_caps);
	if (g->session) CALL(SLOT_ReleaseSession, void (*)(OrtSession *))(g->session);
	if (g->paired) CALL(SLOT_ReleaseSession, void (*)(OrtSession *))(g->paired);
	free(g);
}
