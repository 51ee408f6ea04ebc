// blasnet kernels: plain functions over pointers and sizes.
//
// Contract (see GUIDE.md): kernels allocate nothing, throw nothing and hold no
// state. Outputs come first, then const inputs and caches, then dimensions.
// Parameter gradients accumulate (+=) and the caller zeroes them; input
// gradients overwrite. In a backward kernel a null gradient pointer, input or
// parameter, means "not needed" and its work is skipped (the first layer needs
// no dx; a frozen layer or an explanation needs no weight gradients).
//
// Dimension legend (all row-major, channels-last as in Keras):
//   N  batch            I  input features     U  units / output features
//   H,W input height/width   C input channels  OH,OW output height/width
//   OC output channels (filters)   KH,KW kernel height/width
//   T  timesteps        R  rows (every axis but the last)   K classes
#pragma once
#include <cstdint>

#include "thread_pool.h"

// x86-64 builds with GCC carry AVX2 and AVX-512 versions of the hand-vectorised
// kernels (compiled under `#pragma GCC target`, never -march=native) and pick one
// at run time; other builds use the portable version.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define BLASNET_X86_SIMD 1
#else
#define BLASNET_X86_SIMD 0
#endif

namespace blasnet {

// ---- isa.cc ----------------------------------------------------------------
enum class Isa : int32_t { kPortable = 0, kAvx2 = 1, kAvx512 = 2 };
// The widest instruction set this CPU and build support, decided once per process.
// The environment variable BLASNET_SIMD=portable|avx2 lowers it (tests run every version).
Isa active_isa();
const char* isa_name(Isa isa);  // "portable", "avx2", "avx512"

// ---- gemm.cc ---------------------------------------------------------------
// C[M,N] = alpha * op(A)[M,K] @ op(B)[K,N] + beta * C, row-major, where op
// transposes when the flag is set (A is then stored [K,M], B stored [N,K]).
// With a pool, large products are split into row (or column) blocks across its
// threads; OpenBLAS itself stays single-threaded (use_single_threaded_blas).
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
           float alpha, const float* A, const float* B, float beta, float* C, ThreadPool* pool = nullptr);
// The same with explicit leading dimensions, for blocks inside larger matrices.
void sgemm_ld(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
              ThreadPool* pool = nullptr);
// Keeps OpenBLAS on the calling thread (process-wide, idempotent).
void use_single_threaded_blas();
// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
const char* blas_config();

// ---- gemm_blocked.cc -------------------------------------------------------
// sgemm_ld's single-threaded engine on AVX2/AVX-512 CPUs (same arguments); returns
// false, having done nothing, where it does not apply (other CPUs, alpha 0, empty K,
// no memory for packing), and the caller uses OpenBLAS.
bool sgemm_blocked(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) noexcept;

// ---- gemm_small.cc ---------------------------------------------------------
// C[M,N] = A[M,K] @ B[K,N] (+ C when accumulate), row-major with leading
// dimensions, for the products inside a recurrence (M a few dozen rows): unlike
// sgemm, B is not packed on every call. Single-threaded; rows split freely.
void sgemm_small(bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                 const float* B, int64_t ldb, float* C, int64_t ldc);

// ---- dense.cc --------------------------------------------------------------
enum class Activation : int32_t;  // activations.cc
// out[N,U] = act(x[N,I] @ w[I,U] + b[U])   (b may be null). act is kLinear or kRelu
// (fused_activation); bias and ReLU are applied to each block of the product
// by the thread that computed it, while it is still in cache. A few rows times a
// large w (batch-1 inference) instead sums per-block partial products over w's
// rows in a fixed order: the bits do not depend on the thread count.
void dense_forward(float* out, const float* x, const float* w, const float* b,
                   int64_t N, int64_t I, int64_t U, Activation act, ThreadPool& pool);
// dz = dy * act'(.): with kRelu, dy is masked in place where the forward output y
// is not positive (y may be null for kLinear, which leaves dy as it is). Then
// dw[I,U] += x^T dz; db[U] += sum_n dz; dx[N,I] = dz w^T (dx, dw, db may each be null).
void dense_backward(float* dx, float* dw, float* db, float* dy, const float* y, const float* x,
                    const float* w, int64_t N, int64_t I, int64_t U, Activation act, ThreadPool& pool);

// ---- activations.cc --------------------------------------------------------
// Ids are shared with lib/activations.ts; keep the two in step.
enum class Activation : int32_t {
  kLinear = 0, kRelu = 1, kSigmoid = 2, kTanh = 3, kSoftmax = 4, kElu = 5,
  kSelu = 6, kSoftplus = 7, kSoftsign = 8, kRelu6 = 9, kHardSigmoid = 10,
  kSwish = 11, kGelu = 12,
};
constexpr int32_t kActivationCount = 13;
// The activations dense and convolution kernels apply in their epilogue.
inline bool fused_activation(Activation f) { return f == Activation::kLinear || f == Activation::kRelu; }
// y[R,K] = f(x[R,K]); softmax acts along the last axis K. y may alias x.
void activation_forward(Activation f, float* y, const float* x, int64_t R, int64_t K);
// dx = dy * f'(x) given x and y = f(x). dx may alias dy.
void activation_backward(Activation f, float* dx, const float* dy, const float* x,
                         const float* y, int64_t R, int64_t K);
// ---- elementwise.cc --------------------------------------------------------
// activation_forward/backward split across the pool by rows when large.
void activation_forward(Activation f, float* y, const float* x, int64_t R, int64_t K, ThreadPool& pool);
void activation_backward(Activation f, float* dx, const float* dy, const float* x, const float* y,
                         int64_t R, int64_t K, ThreadPool& pool);
// Epilogues of the dense and convolution kernels.
// y[r, 0..cols) = act(y[r, 0..cols) + b) for `rows` rows of stride ld; b may be null,
// act is kLinear or kRelu. The pool version splits the rows when they are many.
void bias_activation_rows(float* y, int64_t ld, const float* b, int64_t rows, int64_t cols, Activation act);
void bias_activation(float* y, int64_t ld, const float* b, int64_t rows, int64_t cols, Activation act,
                     ThreadPool& pool);
// dy[i] *= (y[i] > 0) over n values (TF's ReluGrad): the gradient at a relu's output
// becomes the gradient at its input (y > 0 exactly where the input was; a NaN input
// gave a NaN y, which passes no gradient).
void relu_mask(float* dy, const float* y, int64_t n, ThreadPool& pool);
// sums[c] += sum over r of x[r, c], x [rows, cols]; each column is summed in row
// order by one thread, so the result does not depend on the thread count.
void column_sums(float* sums, const float* x, int64_t rows, int64_t cols, ThreadPool& pool);

// ---- losses.cc -------------------------------------------------------------
// Each returns the SUM over rows of weights[r] times the row's loss (the caller
// divides) and, when the gradient pointer is not null, writes
// grad_scale * d(sum)/d(input) into it. weights [R] is one value per row (a
// sample or sample-timestep), or null for all ones. Inputs are [R,K].
double softmax_cross_entropy(float* dlogits, const float* logits, const float* targets,
                             const float* weights, int64_t R, int64_t K, float grad_scale);
double sparse_softmax_cross_entropy(float* dlogits, const float* logits, const int32_t* labels,
                                    const float* weights, int64_t R, int64_t K, float grad_scale);
// Keras' categorical cross-entropy on probabilities: renormalise rows, clip to
// [eps, 1-eps], -sum t*log p. Used when the last activation is not softmax.
double categorical_cross_entropy(float* dprobs, const float* probs, const float* targets,
                                 const float* weights, int64_t R, int64_t K, float grad_scale);
double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const int32_t* labels,
                                        const float* weights, int64_t R, int64_t K, float grad_scale);
// Element losses: a row's loss is the sum over its K elements; the caller
// divides by R*K for Keras's mean over the last axis and then over rows.
double sigmoid_binary_cross_entropy(float* dlogits, const float* logits, const float* targets,
                                    const float* weights, int64_t R, int64_t K, float grad_scale);
double binary_cross_entropy(float* dprobs, const float* probs, const float* targets,
                            const float* weights, int64_t R, int64_t K, float grad_scale);
double squared_error(float* dy, const float* y, const float* targets, const float* weights,
                     int64_t R, int64_t K, float grad_scale);

// ---- optim.cc --------------------------------------------------------------
// In-place parameter updates, Keras 3 formulas, over `count` segments: one per
// weight array, all updated in one call and split across the pool by element
// count as if they were one array (the results do not depend on how the values
// are cut into segments). A segment holds `length` values at the same place in
// each array of the update; `offset` is where it starts in their concatenation
// (0 for the first, then the previous offset + length). weight_decay > 0 decays w
// by lr*wd first (decoupled, as AdamW). With consume_grad, g is zeroed as it is
// read (ready for the next accumulation).
struct SgdSegment {
  float *w, *velocity, *g;  // velocity may be null when momentum == 0
  int64_t offset, length;
};
void sgd_update(const SgdSegment* segments, int64_t count, float lr, float momentum, bool nesterov,
                float weight_decay, bool consume_grad, ThreadPool& pool);
struct AdamSegment {
  float *w, *m, *v, *g;
  int64_t offset, length;
};
// step is the 1-based update count used for bias correction.
void adam_update(const AdamSegment* segments, int64_t count, float lr, float beta1, float beta2, float epsilon,
                 int64_t step, float weight_decay, bool consume_grad, ThreadPool& pool);
struct RmspropSegment {
  float *w, *mean_square;
  float* momentum;   // may be null when momentum == 0
  float* mean_grad;  // non-null means centered
  float* g;
  int64_t offset, length;
};
void rmsprop_update(const RmspropSegment* segments, int64_t count, float lr, float rho, float momentum,
                    float epsilon, float weight_decay, bool consume_grad, ThreadPool& pool);

// ---- conv2d.cc -------------------------------------------------------------
// Geometry of a 2-D convolution over NHWC input. PT/PL are the top/left
// padding (TF 'same' puts the odd extra row/column at the bottom/right; the
// binding derives them from the padding mode). Conv1D is the case H = KH = 1.
struct Conv2DGeom {
  int64_t N, H, W, C, OC, KH, KW, SH, SW, DH, DW, OH, OW, PT, PL;
};
// Inputs with few channels (images, spectrograms) take the direct kernels of
// conv2d_direct.cc: im2col would hand BLAS a thin K = KH*KW*C product that it runs slowly.
constexpr int64_t kDirectConvMaxChannels = 4;
inline bool conv2d_is_direct(const Conv2DGeom& g) { return g.C <= kDirectConvMaxChannels; }
// The im2col path needs col scratch, except for a 1x1, stride-1, unpadded
// convolution, which reads the input itself as its column matrix (col may then be null).
inline bool conv2d_needs_col(const Conv2DGeom& g) {
  return !conv2d_is_direct(g) && !(g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0);
}
// out[N,OH,OW,OC] = act(conv(in[N,H,W,C], w) + b[OC]) (b may be null), w is Keras's
// [KH,KW,C,OC] kernel and act is kLinear or kRelu (fused_activation). Direct
// geometries ignore col; the others run im2col @ w[KH*KW*C, OC] with col scratch
// [col_samples*OH*OW, KH*KW*C], col_samples samples per GEMM (1 <= col_samples <= N).
void conv2d_forward(float* out, float* col, const float* in, const float* w, const float* b,
                    const Conv2DGeom& g, int64_t col_samples, Activation act, ThreadPool& pool);
// dz = dy * act'(.), where y is the forward output (read for kRelu, may be null for
// kLinear); the im2col path masks dy in place, the direct one reads it as it goes.
// dw[KH,KW,C,OC] += the correlation of in with dz; db[OC] += sum dz; dx[N,H,W,C] = the
// transposed convolution of dz (dx, dw, db may each be null). col is scratch as
// in forward; its content on entry is ignored (the columns are rebuilt from in).
void conv2d_backward(float* dx, float* dw, float* db, float* dy, const float* y, const float* in,
                     const float* w, float* col, const Conv2DGeom& g, int64_t col_samples, Activation act,
                     ThreadPool& pool);

// ---- pool2d.cc -------------------------------------------------------------
// Pooling windows KHxKW with strides SH,SW over NHWC input, TF semantics:
// padded cells are outside every window (max ignores them, average divides by
// the number of real cells in the window).
struct Pool2DGeom {
  int64_t N, H, W, C, KH, KW, SH, SW, OH, OW, PT, PL;
};
// Every pooling kernel splits the batch across the pool.
// out[N,OH,OW,C] = max over each window.
void max_pool2d_forward(float* out, const float* in, const Pool2DGeom& g, ThreadPool& pool);
// dx[N,H,W,C] = dy routed to each window's first maximal cell (found again from in).
// Needs H*W*C < 2^31 (offsets within a sample are 32-bit).
void max_pool2d_backward(float* dx, const float* dy, const float* in, const Pool2DGeom& g, ThreadPool& pool);
// out[N,OH,OW,C] = mean over each window's real cells.
void avg_pool2d_forward(float* out, const float* in, const Pool2DGeom& g, ThreadPool& pool);
// dx[N,H,W,C] = dy spread evenly over each window's real cells.
void avg_pool2d_backward(float* dx, const float* dy, const Pool2DGeom& g, ThreadPool& pool);

// ---- conv2d_direct.cc ------------------------------------------------------
// The direct kernels behind conv2d_forward/backward for conv2d_is_direct
// geometries, and a convolution fused with the max pooling that follows it.
// Output channels are vectorised (one version per instruction set, isa.cc).
// Forward passes and dx split the batch across the pool; dw and db split the
// output channels, so no partial sums are needed and the results do not depend
// on the number of threads.
void conv2d_direct_forward(float* out, const float* in, const float* w, const float* b, const Conv2DGeom& g,
                           Activation act, ThreadPool& pool);
void conv2d_direct_backward(float* dx, float* dw, float* db, const float* dy, const float* y, const float* in,
                            const float* w, const Conv2DGeom& g, Activation act, ThreadPool& pool);
// Conv (g) + act + max pooling (p, over the conv output) in one pass, never storing
// the conv output: for a direct convolution followed by non-overlapping windows that
// lie inside it (strides == window, no padding, as 'valid' pooling), with fewer than
// 255 cells per window.
inline bool conv2d_max_pool_fusable(const Conv2DGeom& g, const Pool2DGeom& p) {
  return conv2d_is_direct(g) && p.N == g.N && p.H == g.OH && p.W == g.OW && p.C == g.OC && p.SH == p.KH &&
         p.SW == p.KW && p.PT == 0 && p.PL == 0 && p.OH * p.KH <= p.H && p.OW * p.KW <= p.W && p.KH * p.KW < 255;
}
// Marks a pooled output with no gradient in `argmax`: after relu, the window's max was
// 0 or NaN. TF's ReluGrad gives its cell dout * 0, the same unless dout is NaN or
// infinite (then NaN, as the unfused relu backward gives); recording the cell for that
// case cost the fused backward pass ~10%.
constexpr uint8_t kNoArgmax = 255;
// out[N,OH,OW,OC] (pool's output shape) = max over each window of act(conv(in) + b);
// act is kLinear or kRelu. argmax[N,OH,OW,OC] (null when not training) receives
// each max's cell in its window (row-major, the first maximal one, as TF, or the
// last NaN, whose max is NaN), or kNoArgmax where relu left the window's max at 0 or NaN.
void conv2d_max_pool_forward(float* out, uint8_t* argmax, const float* in, const float* w, const float* b,
                             const Conv2DGeom& g, const Pool2DGeom& p, Activation act, ThreadPool& pool);
// From dout (the pooled gradient) and the forward argmax: dw +=, db +=, dx = (each
// may be null), as conv2d_backward would from the unfused layers.
void conv2d_max_pool_backward(float* dx, float* dw, float* db, const float* dout, const uint8_t* argmax,
                              const float* in, const float* w, const Conv2DGeom& g, const Pool2DGeom& p,
                              ThreadPool& pool);

// ---- embedding.cc ----------------------------------------------------------
// R index positions (N*L), D = output_dim, table [V,D] with V = input_dim.
// Every idx must lie in [0, V): the binding checks before calling.
// out[R,D] = table[idx[r], :]
void embedding_forward(float* out, const int32_t* idx, const float* table, int64_t R, int64_t D);
// dtable[idx[r], :] += dout[r, :]  (repeated indices accumulate); null dtable: nothing to do
void embedding_backward(float* dtable, const float* dout, const int32_t* idx, int64_t R, int64_t D);

// ---- batchnorm.cc ----------------------------------------------------------
// Batch normalisation over the last axis: x[R,C], statistics per channel c over
// the R rows. gamma and beta may be null (scale / center off). mean[C] and
// inv_std[C] = 1/sqrt(var + epsilon) are saved for the backward pass.
// Training: batch statistics (biased variance); the moving statistics are
// updated in place as moving = moving * momentum + batch * (1 - momentum).
void batchnorm_forward_training(float* out, float* mean, float* inv_std, float* moving_mean,
                                float* moving_variance, const float* x, const float* gamma,
                                const float* beta, int64_t R, int64_t C, float momentum,
                                float epsilon);
// Inference: normalises with the moving statistics (and saves them as mean / inv_std).
void batchnorm_forward_inference(float* out, float* mean, float* inv_std, const float* x,
                                 const float* gamma, const float* beta, const float* moving_mean,
                                 const float* moving_variance, int64_t R, int64_t C, float epsilon);
// dgamma[C] += sum dy*xhat, dbeta[C] += sum dy (either may be null); dx[R,C] (may be
// null, may alias dy). With moving statistics and neither dgamma nor dbeta, the sums
// are not computed. batch_statistics says whether the forward pass used batch
// statistics (then mean and variance depend on x) or moving ones (constants).
void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* gamma, const float* mean, const float* inv_std, int64_t R,
                        int64_t C, bool batch_statistics);

// ---- dropout.cc ------------------------------------------------------------
// Inverted dropout over [n] values with a keep mask of 0s and 1s drawn by the
// caller: out = x * mask / (1 - rate), 0 <= rate < 1. dx may alias dy.
void dropout_forward(float* out, const float* x, const float* mask, int64_t n, float rate);
void dropout_backward(float* dx, const float* dy, const float* mask, int64_t n, float rate);

// ---- global_pool.cc --------------------------------------------------------
// Global pooling of x[N,S,C] to out[N,C] over S positions: S = H*W for NHWC
// images, S = T for sequences.
void global_avg_pool_forward(float* out, const float* x, int64_t N, int64_t S, int64_t C);
// dx[N,S,C] = dy[N,C] / S
void global_avg_pool_backward(float* dx, const float* dy, int64_t N, int64_t S, int64_t C);
void global_max_pool_forward(float* out, const float* x, int64_t N, int64_t S, int64_t C);
// dx[N,S,C]: dy goes to the first position of each maximum, zeros elsewhere.
void global_max_pool_backward(float* dx, const float* dy, const float* x, int64_t N, int64_t S,
                              int64_t C);

// ---- lstm.cc, gru.cc -------------------------------------------------------
// Recurrent layers as Keras computes them, over x[N,T,I] (batch-major, as the
// layer sees it). Legend: s is the processing step 0..T-1; step s reads input
// timestep T-1-s when go_backwards, else s. h_s, c_s: hidden and cell state
// after step s (h_{-1} = c_{-1} = 0). Output: out[N,T,U] with out[n,s] = h_s
// (a go_backwards sequence comes back in processing order, as in Keras) when
// return_sequences, else out[N,U] = h_{T-1}; dout has out's shape.
// The forward pass fills `cache` (sizes below), which backward reads; backward
// also needs a `scratch` buffer. Both are caller-owned and reused.
// activation / recurrent_activation: any elementwise Activation (not softmax).
struct RnnGeom {
  int64_t N, T, I, U;
  Activation activation, recurrent_activation;
  bool go_backwards, return_sequences;
  bool reset_after;  // GRU only: Keras 3 default true (bias [2,3U]); false is tfjs's GRU (bias [3U])
};
// Dropout of a recurrent layer while training, as Keras' DropoutRNNCell: masks
// hold 0 or 1/(1-rate) and are the same at every step. `input` holds
// `input_masks` masks [N,I] multiplying x before the kernel: 1 for all gates
// (Keras' implementation 2) or one per gate (implementation 1, which Keras forces
// with recurrent dropout); `recurrent` holds one mask [N,U] per gate multiplying
// h_{s-1} in that gate's recurrent product. Either may be null; a null
// RnnDropout* (inference, rates 0) takes the plain path.
struct RnnDropout {
  const float* input;      // [input_masks, N, I] or null
  int64_t input_masks;     // 1 or the number of gates
  const float* recurrent;  // [gates, N, U] or null
};
// With dropout the cache continues after the cell's own with the masked operands,
// time-major: x_s * m_k [T,N,input_masks*I] when input, then h_{s-1} * m_k
// [T,N,gates*U] when recurrent. The scratch continues with [N,I] | [N,U].
inline int64_t rnn_dropout_cache_size(const RnnGeom& g, const RnnDropout* d, int64_t gates) {
  if (!d) return 0;
  return g.T * g.N * ((d->input ? d->input_masks * g.I : 0) + (d->recurrent ? gates * g.U : 0));
}
inline int64_t rnn_dropout_scratch_size(const RnnGeom& g, const RnnDropout* d) {
  return d && (d->input || d->recurrent) ? g.N * (g.I + g.U) : 0;
}
// LSTM cache, time-major [T,N,*] blocks: xs I | z 4U (pre-activation gates i,f,c,o)
// | gates 4U (after activation) | c U | a(c) U | h U. With tanh / sigmoid (whose
// derivatives come from their outputs) z is not written.
inline int64_t lstm_cache_size(const RnnGeom& g) { return g.T * g.N * (g.I + 11 * g.U); }
// LSTM scratch: dz [T,N,4U] | dh [N,U] | dc [N,U] | kernel^T [4U,I] | recurrent^T [4U,U].
inline int64_t lstm_scratch_size(const RnnGeom& g) {
  return 4 * g.U * (g.T * g.N + g.I + g.U) + 2 * g.N * g.U;
}
// kernel[I,4U], recurrent[U,4U], bias[4U] or null; gates i, f, c, o.
// The recurrence is split across the pool by batch rows, the weight gradients
// by columns; with AVX2 or AVX-512 the results do not depend on the number of
// threads (the portable build's OpenBLAS steps may differ in the last bit).
void lstm_forward(float* out, float* cache, const float* x, const float* kernel,
                  const float* recurrent, const float* bias, const RnnGeom& g, ThreadPool& pool,
                  const RnnDropout* dropout = nullptr);
// dkernel, drecurrent, dbias accumulate; dx[N,T,I] is overwritten; any of them may
// be null (not needed: its GEMMs are skipped, the gate gradients that carry dx back
// through time are not). cache is the one forward filled, with the same dropout.
void lstm_backward(float* dx, float* dkernel, float* drecurrent, float* dbias, float* scratch,
                   const float* dout, const float* cache, const float* kernel,
                   const float* recurrent, const RnnGeom& g, ThreadPool& pool,
                   const RnnDropout* dropout = nullptr);
// GRU cache, time-major blocks: xs I | a 3U (pre-activations z,r,h) | gates 3U
// (z, r, hh) | rec 3U (recurrent terms) | h U.
inline int64_t gru_cache_size(const RnnGeom& g) { return g.T * g.N * (g.I + 10 * g.U); }
// GRU scratch: da [T,N,3U] | drec [T,N,3U] | dh [N,U] | drh [N,U] | kernel^T [3U,I] | recurrent^T [3U,U].
inline int64_t gru_scratch_size(const RnnGeom& g) {
  return 3 * g.U * (2 * g.T * g.N + g.I + g.U) + 2 * g.N * g.U;
}
// kernel[I,3U], recurrent[U,3U], bias [2,3U] (reset_after) or [3U], or null; gates z, r, h.
void gru_forward(float* out, float* cache, const float* x, const float* kernel, const float* recurrent,
                 const float* bias, const RnnGeom& g, ThreadPool& pool, const RnnDropout* dropout = nullptr);
// As lstm_backward; dbias has bias's shape.
void gru_backward(float* dx, float* dkernel, float* drecurrent, float* dbias, float* scratch,
                  const float* dout, const float* cache, const float* kernel, const float* recurrent,
                  const RnnGeom& g, ThreadPool& pool, const RnnDropout* dropout = nullptr);

}  // namespace blasnet
