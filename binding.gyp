{
  "targets": [
    {
      "target_name": "blasnet",
      "sources": [
        "native/kernels/gemm.cc",
        "native/kernels/gemm_small.cc",
        "native/kernels/gemm_blocked.cc",
        "native/kernels/thread_pool.cc",
        "native/kernels/dense.cc",
        "native/kernels/activations.cc",
        "native/kernels/losses.cc",
        "native/kernels/optim.cc",
        "native/kernels/lstm.cc",
        "native/kernels/gru.cc",
        "native/kernels/conv2d.cc",
        "native/kernels/conv2d_direct.cc",
        "native/kernels/isa.cc",
        "native/kernels/elementwise.cc",
        "native/kernels/pool2d.cc",
        "native/kernels/batchnorm.cc",
        "native/kernels/dropout.cc",
        "native/kernels/global_pool.cc",
        "native/kernels/embedding.cc",
        "native/binding/addon.cc",
        "native/binding/ops_core.cc",
        "native/binding/ops_optim.cc",
        "native/binding/ops_rnn.cc",
        "native/binding/ops_conv.cc",
        "native/binding/ops_norm.cc",
        "native/binding/ops_embedding.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I openblas 2>/dev/null | sed 's/-I//g' || true)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden", "-Wall", "-Wextra"],
      "libraries": ["<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)", "-lpthread"],
      "ldflags": ["-Wl,-z,now"]
    }
  ]
}
