//===- Passes.td - codegen passes ---------------------------*- tablegen -*-===//
//
// Target-neutral lowering out of kiln, and the CPU target's own passes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES_TD
#define KILN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnConvertToLinalg : Pass<"kiln-convert-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers every kiln op to linalg, tensor, arith and math";
  let description = [{
    Named linalg ops for contractions, convolutions and pooling; generics
    for elementwise ops and reductions; tensor ops for shape manipulation.
    Fails, naming the op (and so the model node), on anything it cannot
    lower. Before:
    ```mlir
    %0 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
    After:
    ```mlir
    %0 = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
      %m = arith.maximumf %in, %cst : f32
      linalg.yield %m : f32
    } -> tensor<4xf32>
    ```
  }];
  let options = [
    Option<"batchedConvolutions", "batched-convolutions", "bool", "false",
           "a convolution of several images stays one op (for the GPU); "
           "by default each image is one op inside an scf.for, which the "
           "CPU target register-tiles">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
      "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
      "mlir::math::MathDialect", "mlir::scf::SCFDialect"];
}

def KilnFuseElementwise : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuses chains of elementwise linalg generics";
  let description = [{
    Merges a producer generic into its consumer when both are elementwise
    (all loops parallel) and the producer reads its operands through plain
    or broadcasting maps, so bias, normalization, activation and residual
    adds cost one pass over memory. Window copies (im2col) and named ops are
    left alone so that contractions keep their register-tiled form. Before:
    ```mlir
    %1 = linalg.generic {...} ins(%0, %bias : ...) { addf }
    %2 = linalg.generic {...} ins(%1 : ...) { maximumf }
    ```
    After: one generic computing `max(%0 + %bias, 0)`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnFlattenConstantGlobals : Pass<"kiln-flatten-constant-globals",
    "mlir::ModuleOp"> {
  let summary = "Gives constant memref globals a 1-D type";
  let description = [{
    Every constant memref.global of rank 2 or more with a static,
    identity-layout type gets the 1-D type of its element count (its
    initial value reshaped; a resource blob is shared, not copied), and
    each memref.get_global of it becomes a get_global of the 1-D global and
    a memref.reinterpret_cast back to the shape with row-major strides.

    The LLVM dialect types a global of shape 64x64x3x3 as nested arrays,
    and translating it to LLVM IR made one uniqued constant per innermost
    row (a 1x1 convolution's filter: one per element), which took most of
    the translation time of a model with 100 MB of weights. Before:
    ```mlir
    memref.global "private" constant @w : memref<64x64x3x3xf32> = dense<...>
    %0 = memref.get_global @w : memref<64x64x3x3xf32>
    ```
    After:
    ```mlir
    memref.global "private" constant @w : memref<36864xf32> = dense<...>
    %g = memref.get_global @w : memref<36864xf32>
    %0 = memref.reinterpret_cast %g to offset: [0], sizes: [64, 64, 3, 3],
        strides: [576, 9, 3, 1] : memref<36864xf32> to memref<64x64x3x3xf32>
    ```
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def KilnShareKernels : Pass<"kiln-share-kernels", "mlir::ModuleOp"> {
  let summary = "One function for loop nests that repeat with other buffers";
  let description = [{
    Models repeat their layers: the twelve blocks of a BERT encoder, the
    bottlenecks of a ResNet stage. After bufferization each layer's kernel
    is a loop nest (scf.forall, scf.for, scf.parallel) at the top of the
    entry function that differs from its twins only in the buffers it
    reads and writes (a weight global, an activation buffer). This pass
    outlines every such loop nest into a private function of the values it
    captures (constants are cloned in, so loop bounds and tile sizes stay
    visible), and where two or more nests give equivalent functions (same
    argument types, same operations and attributes, locations aside) they
    all call one copy. A nest with no twin stays where it is, and a nest
    with results (a loop carrying values out) is left alone.

    LLVM then optimizes and generates each distinct kernel once: this cut
    the code that a BERT-base encoder (twelve identical layers) and
    ResNet-50 hand to LLVM to a fraction.
    ```mlir
    scf.forall (%i) in (4) { ... %w0 ... %a ... }
    scf.forall (%i) in (4) { ... %w1 ... %b ... }
    ```
    becomes
    ```mlir
    call @main_kernel0(%w0, %a) : (memref<...>, memref<...>) -> ()
    call @main_kernel0(%w1, %b) : (memref<...>, memref<...>) -> ()
    func.func private @main_kernel0(%w: memref<...>, %x: memref<...>) {
      scf.forall (%i) in (4) { ... %w ... %x ... }
      return
    }
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def KilnReshapesToCasts : Pass<"kiln-reshapes-to-casts",
    "mlir::func::FuncOp"> {
  let summary = "Rewrites memref reshapes of dense buffers as casts";
  let description = [{
    Two reshapes of identity-layout buffers become memref.reinterpret_cast
    with the new sizes and their suffix products as strides.

    A memref.expand_shape whose group holds two or more dynamic dims (batch x
    sequence rows restored after a matmul), because MLIR 22's
    expand-strided-metadata crashes on it. Before:
    ```mlir
    %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %s, 256]
        : memref<?x256xf32> into memref<?x?x256xf32>
    ```
    After:
    ```mlir
    %e = memref.reinterpret_cast %m to offset: [0], sizes: [%b, %s, 256],
        strides: [%st, 256, 1] : memref<?x256xf32> to memref<?x?x256xf32>
    ```

    With `collapse-shapes`, every memref.collapse_shape, because
    fold-memref-alias-ops folds a load through a collapse into a load of the
    source at delinearized indices: a matmul reading a 64x16x3x3 filter as
    64x144 then divides its K index by 9 and 3 on every iteration (a third
    of the instructions of the convolution's inner loop). Through the cast
    the load stays at `row * 144 + k`.
  }];
  let options = [
    Option<"collapseShapes", "collapse-shapes", "bool", /*default=*/"true",
           "Also rewrite memref.collapse_shape of dense buffers">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
      "mlir::arith::ArithDialect"];
}

def KilnCpuUnshareFills : Pass<"kiln-cpu-unshare-fills", "mlir::func::FuncOp"> {
  let summary = "Gives each use of a filled or empty tensor its own";
  let description = [{
    Run just before bufferization. CSE merges identical fills (two
    convolutions' zero-padded inputs of one shape become one fill with two
    insert_slice users). Bufferization then writes the first user into the
    fill's buffer in place and must copy the whole filled buffer for the
    second: a memcpy of every padded activation on every run. A fill of an
    empty tensor costs one memset, so each extra use gets its own fill (and
    empty tensor) instead. Before:
    ```mlir
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x10x10xf32>)
    %a = tensor.insert_slice %x into %f[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1]
    %b = tensor.insert_slice %y into %f[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1]
    ```
    After: `%b` inserts into a second `linalg.fill` of a second
    `tensor.empty`. Likewise an empty tensor shared by several destination
    operands, and any chain of fills and insert_slices of such tensors,
    get one copy of the ops per use.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def KilnCpuUnrollWindows : Pass<"kiln-cpu-unroll-windows", "mlir::func::FuncOp"> {
  let summary = "Unrolls small static reductions (windows) into the body";
  let description = [{
    A depthwise convolution or a pool lowers to a generic that reduces over
    the window dims (kh, kw). As loops, each window row reads and writes
    the whole output row again, after a separate fill, and the bias and
    activation that follow are another pass over the result. This pass
    rewrites a generic whose reduction dims are all static and hold at most
    64 taps into an all-parallel generic over the other dims: the body
    applies the old body once per tap, in the loops' order (so the sums
    round exactly as before), reading the inputs indexed by the reduced
    dims with `tensor.extract` at each tap's constant offsets. A fill of
    the output becomes the accumulator's first value. The result is
    pointwise, so the following kiln-fuse-elementwise puts the bias and
    activation into the same loop, and LLVM vectorizes the innermost
    output dim with every tap in registers. Before:
    ```mlir
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x6x6xf32>)
    %r = linalg.generic {iterator_types = ["parallel", "parallel",
           "reduction", "parallel", "parallel", "reduction"]}
         ins(%x, %w : tensor<1x8x8x8xf32>, tensor<8x3x3xf32>) outs(%f ...)
    ```
    After: `linalg.generic {iterator_types = ["parallel", "parallel",
    "parallel", "parallel"]} outs(%e ...)` whose body extracts the nine
    elements of `%x` and `%w` and chains nine multiply-adds from `%zero`.
    An input that is a static constant-value `tensor.pad` with no padding
    along its innermost dim (NHWC images: rows and columns padded, channels
    not) is read from the pad's source instead: each tap clamps its index
    into the source and selects the padding value outside it, so no padded
    copy of the image is written first; the checks depend on outer loops
    only, and the reads along the channels stay contiguous.
  }];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def KilnCpuDecomposePads : Pass<"kiln-cpu-decompose-pads", "mlir::func::FuncOp"> {
  let summary = "Turns tensor.pad into fills plus an insert_slice";
  let description = [{
    A padded tensor otherwise costs an allocation, a fill and a strided copy
    of the producer's result on every run. As fill + insert_slice, empty
    tensor elimination lets the producer (a convolution's epilogue) write
    straight into the padded buffer's interior. A static pad whose
    innermost dim is unpadded (NHWC) fills only its border strips, each
    made of whole rows of that dim; others fill the whole tensor. Before:
    ```mlir
    %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] { tensor.yield %zero }
    ```
    After:
    ```mlir
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x10x10xf32>)
    %p = tensor.insert_slice %x into %f[0, 0, 1, 1] [1, 8, 8, 8] [1, 1, 1, 1]
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def KilnCpuApproximateMath : Pass<"kiln-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replaces exp/tanh/erf/log with vectorizable polynomials";
  let description = [{
    libm calls block vectorization; MLIR's polynomial approximations are
    accurate to a few ulp in f32. Before: `%y = math.erf %x : f32`; after: a
    sequence of arith ops (fma, select, bitcasts).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
      "mlir::vector::VectorDialect"];
}

def KilnCpuConvToMatmul : Pass<"kiln-cpu-conv-to-matmul", "mlir::func::FuncOp"> {
  let summary = "Turns batch-1 NCHW and NHWC convolutions into im2col + matmul";
  let description = [{
    The CPU's convolution strategy. Each linalg.conv_2d_nchw_fchw with static
    shapes, batch 1 and a zero-filled result becomes an im2col copy generic
    and one linalg.matmul (filter F x C*KH*KW times columns C*KH*KW x
    pixels, or pixels x C*KH*KW times the transposed filter when the
    feature map is too small to fill 64-wide register tiles; those pixel
    rows are zero-padded to a multiple of 6). Each static batch-1
    linalg.conv_2d_nhwc_hwcf becomes pixels x KH*KW*C rows times the filter
    in its own order; with a constant filter the rows are a copy generic
    that the packed kernel reads from the image itself (RowSource.h).
    kiln-cpu-tile-contractions register-tiles the matmul afterwards. Other
    convolutions are left to the loop fallback.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
      "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"];
}

def KilnCpuTileContractions : Pass<"kiln-cpu-tile-contractions", "mlir::ModuleOp"> {
  let summary = "Register-tiles and vectorizes matmuls for the host's vectors";
  let description = [{
    Static f32 matmuls whose right-hand side can be packed in 64-column
    panels (a constant weight, packed at compile time; a computed one with
    at least two register tiles of rows, packed by a copy at run time) get
    the packed-panel kernel of cpu/PackedMatmul.cpp (disable with
    packed-kernel=false). The others: each static linalg.matmul /
    batch_matmul is split into full tiles and remainders, the full part is
    tiled into rows x 64-column register blocks with K unrolled (upstream's
    TilingInterface tiling and linalg vectorizer, called from C++),
    vectorized, and its contraction lowered to broadcast + FMA outer
    products. Ops that do not fit are left for the loop fallback.
    A packed matmul's elementwise consumer (bias, activation, residual add;
    cpu/MatmulEpilogue.h) is applied by its tiles as they store (disable
    with epilogues=false).
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", "6", "rows per register tile">,
    Option<"tileCols", "tile-cols", "int64_t", "64", "columns per register tile">,
    Option<"packedKernel", "packed-kernel", "bool", "true",
           "give matmuls whose right-hand side can be packed in panels "
           "(PackedMatmul.cpp) that kernel">,
    Option<"epilogues", "epilogues", "bool", "true",
           "fuse a packed matmul's elementwise consumer into its tiles">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
      "mlir::vector::VectorDialect", "mlir::affine::AffineDialect",
      "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"];
}

def KilnCpuParallelizeLoops : Pass<"kiln-cpu-parallelize-loops", "mlir::ModuleOp"> {
  let summary = "Splits large linalg ops into scf.forall chunks for threads";
  let description = [{
    Every linalg op outside an existing loop whose iteration space has at
    least `min-elements` points is tiled along its first parallel dim of
    extent >= 2 into `chunks` pieces with an scf.forall (upstream
    scf::tileUsingSCF), which the CPU pipeline later runs on the thread pool.
    Before: `linalg.generic ... outs(%x : tensor<1x64x56x56xf32>)`; after:
    `scf.forall (%i) = (0) to (64) step (4) { linalg.generic ... tensor<1x4x56x56xf32> }`.
    Ops with dynamic parallel dims are split along those when their static
    dims alone are smaller: one dynamic dim (a batch) one entry per
    iteration, two (batch and sequence) into a grid of about `chunks` pieces.
  }];
  let options = [
    Option<"chunks", "chunks", "int64_t", "16", "pieces per op">,
    Option<"minElements", "min-elements", "int64_t", "32768",
           "smallest iteration space worth splitting">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
      "mlir::arith::ArithDialect"];
}

def KilnGpuMapToThreads : Pass<"kiln-gpu-map-to-threads", "mlir::func::FuncOp"> {
  let summary = "Turns linalg on buffers into scf.parallel loops mapped to GPU blocks and threads";
  let description = [{
    The GPU target's first lowering, on the function named `entry` (others
    stay host code). Every linalg op (memref.copy first becomes linalg.copy)
    becomes loops: its parallel dims one scf.parallel, collapsed into one
    dim and split into blocks of `block-size` threads (one output element
    per thread, the reduction dims a loop inside it), with the mapping
    attributes convert-parallel-loops-to-gpu reads. Host-level loop nests
    that read or write buffers (a scatter, a sequential scan) run as one
    thread of their own kernel. An element the host needs (a loop bound, a
    branch condition, a data-dependent size) is copied to it by a
    one-thread kernel and a device-to-host copy.
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"\"", "the function run on the GPU">,
    Option<"blockSize", "block-size", "int64_t", "256", "threads per block">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::gpu::GPUDialect",
      "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
      "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect"];
}

def KilnGpuTileContractions : Pass<"kiln-gpu-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Turns f32 matmuls and convolutions into shared-memory tiled GPU kernels";
  let description = [{
    On the function named `entry`, before kiln-gpu-map-to-threads: each
    linalg op on buffers whose body is `out + a * b` over f32 (matmul,
    batch_matmul, convolutions, generic contractions) becomes one kernel
    written as scf.parallel loops mapped to blocks (batch, M tiles, N tiles)
    and 16 x 16 threads. Its loop dims are grouped as batch (read by both
    operands), M (by the first), N (by the second) and K (reductions), each
    walked as one linear index, so a convolution is an implicit GEMM with
    no im2col buffer. Each thread accumulates 4 x 4 (or, for large outputs,
    8 x 8) output elements in registers, reading four neighbours at a time
    (vector.load) from the operands' tiles, which are staged in workgroup
    memory (memref.alloca in the workgroup address space, made kernel
    attributions by kiln-gpu-workgroup-buffers) between gpu.barriers; the
    next K step's elements are loaded while the current one is computed.
    Out-of-range elements load as zero and are not stored, so dynamic and
    ragged sizes need no other kernel. The sums are added to the output's
    initial value.

    With precision=tf32 or fp16 the block's 8 warps compute its tile with
    nvvm.mma.sync (m16n8k8, f32 sums; sm_80 or newer) from the same staged
    tiles: tf32 rounds each element to TF32 as it is staged
    (nvvm.convert.float.to.tf32, to nearest), fp16 converts each element to
    f16 as it is staged, into tiles that keep the halves of K rows 2i and
    2i + 1 side by side (one f16x2 fragment register per 32-bit read).
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"\"", "the function run on the GPU">,
    Option<"precision", "precision", "std::string", "\"fp32\"",
           "what the products are computed in: fp32 (FMAs), tf32 or fp16 "
           "(tensor cores)">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::gpu::GPUDialect",
      "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
      "mlir::vector::VectorDialect", "mlir::LLVM::LLVMDialect",
      "mlir::NVVM::NVVMDialect"];
}

def KilnGpuWorkgroupBuffers : Pass<"kiln-gpu-workgroup-buffers", "mlir::ModuleOp"> {
  let summary = "Makes workgroup-memory allocas in a kernel its workgroup attributions";
  let description = [{
    After kernel outlining: each memref.alloca of a static shape in the
    workgroup address space inside a gpu.func becomes a workgroup
    attribution of that kernel (one buffer per block, in shared memory once
    lowered to NVVM), aligned to 16 bytes (llvm.align) for vector reads.
    One anywhere else is an error.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::LLVM::LLVMDialect"];
}

def KilnGpuMergeKernelModules : Pass<"kiln-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Moves every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining gives each kernel its own gpu.module. One module
    holds them all after this pass, so a library carries one PTX image
    (one driver load and JIT compile) and `--emit=ptx` one file that ptxas
    takes. Launches are redirected to the kernels' new symbols.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def KilnGpuPlaceBuffers : Pass<"kiln-gpu-place-buffers", "mlir::ModuleOp"> {
  let summary = "Puts the buffers of a GPU entry function in device memory";
  let description = [{
    On the function named `entry` (a module pass: it declares the runtime
    functions it calls), after kernel outlining: allocations
    become gpu.alloc / gpu.dealloc; each argument (host memory: the first
    `num-inputs` are inputs, the rest outputs) gets a device copy (inputs
    copied in at the start, outputs copied back before each return); each
    constant global is replaced by its device copy, which the runtime makes
    once per library (kiln_rt_cuda_constant). When the caller passes device pointers
    (kiln_rt_tensors_on_device() at run time) the arguments are used in
    place instead. Only the kernels touch device memory; the host code
    between them handles sizes and descriptors.
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"\"", "the function run on the GPU">,
    Option<"numInputs", "num-inputs", "int64_t", "0", "arguments that are inputs">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect",
      "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
      "mlir::arith::ArithDialect", "mlir::LLVM::LLVMDialect"];
}

#endif // KILN_CODEGEN_PASSES_TD
