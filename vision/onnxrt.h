// A small C face on ONNX Runtime's C API for onnxrt.go. The library is opened
// with dlopen at run time (models/runtime-setup.sh puts it beside the
// models), so building posturewatch needs neither it nor its headers.
#ifndef POSTUREWATCH_ONNXRT_H
#define POSTUREWATCH_ONNXRT_H

#include <stddef.h>
#include <stdint.h>

typedef struct pw_ort_graph pw_ort_graph;

// Every function returning char* returns NULL on success, or an error
// message the caller frees with free().

// pw_ort_open loads the library at path once per process and asks it for
// the C API of version api_version; *version is the library's own version
// string (static).
char *pw_ort_open(const char *path, uint32_t api_version, const char **version);

// pw_ort_graph_new makes a session of the ONNX model held in model[0..len),
// running on `threads` threads that sleep instead of spinning between runs,
// checks that its one input and the named outputs have the shapes given
// (rank and dims, flattened; a dim of -1 in the model matches any), and
// allocates their buffers at those shapes, the largest the graph will run.
char *pw_ort_graph_new(const void *model, size_t len, int threads,
                       const char *in_name, const int64_t *in_shape, int in_rank,
                       int n_out, const char *const *out_names,
                       const int64_t *out_shapes, const int *out_ranks,
                       pw_ort_graph **out);

// pw_ort_graph_input and pw_ort_graph_output give buffer set io's buffers
// (float32, row-major, as long as the shapes say; set 0 is made at load,
// set 1 by pw_ort_graph_twin); they live as long as the graph.
float *pw_ort_graph_input(pw_ort_graph *g, int io);
float *pw_ort_graph_output(pw_ort_graph *g, int io, int i);

// pw_ort_graph_input_free says which input dimensions the model leaves
// free (bit i for dimension i).
unsigned pw_ort_graph_input_free(pw_ort_graph *g);

// pw_ort_graph_reshape gives the input and outputs new shapes of the ranks
// given at load (flattened as there), over the same buffers, in every set:
// none may hold more elements than at load. On failure nothing changes.
char *pw_ort_graph_reshape(pw_ort_graph *g, const int64_t *in_shape, const int64_t *out_shapes);

// pw_ort_graph_pair adds a second session of the same model (the bytes
// given at load) on `threads` threads, over the same buffers.
char *pw_ort_graph_pair(pw_ort_graph *g, const void *model, size_t len, int threads);

// pw_ort_graph_twin adds a second set of buffers, as large as the first,
// its tensors at the shapes in force (flattened as for reshape), so that
// two runs may be under way at once, one on each set.
char *pw_ort_graph_twin(pw_ort_graph *g, const int64_t *in_shape, const int64_t *out_shapes);

// pw_ort_graph_run runs the model on buffer set io's input into its
// outputs: in its paired session when paired is non-zero or io is 1, and
// it has one. Runs on different sets may be under way at once.
char *pw_ort_graph_run(pw_ort_graph *g, int paired, int io);

void pw_ort_graph_free(pw_ort_graph *g);

#endif
