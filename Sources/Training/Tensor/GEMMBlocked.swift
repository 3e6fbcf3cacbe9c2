import CKernels

/// One row-major product C = alpha·op(A)·op(B) + beta·C as raw pointers, so halves can be handed to
/// the worker thread. Unchecked because it holds pointers; `gemm` keeps them alive and disjoint.
struct GEMMProblem: @unchecked Sendable {
  var transposeA: Bool
  var transposeB: Bool
  var alpha: Float
  var a: UnsafePointer<Float>
  var lda: Int
  var b: UnsafePointer<Float>
  var ldb: Int
  var beta: Float
  var c: UnsafeMutablePointer<Float>
  var ldc: Int
  /// Added to every row of C (C = alpha·op(A)·op(B) + bias, beta 0): a dense layer's bias, in the
  /// kernel's store instead of a separate pass.
  var columnBias: UnsafePointer<Float>? = nil

  /// Two independent sub-products writing disjoint parts of C.
  struct Halves {
    var first: GEMMProblem
    var firstM: Int
    var firstN: Int
    var second: GEMMProblem
    var secondM: Int
    var secondN: Int
  }

  /// Splits the wider of N and M at a tile boundary (so no tile is shared), or nil when the
  /// product is too narrow for two threads to each get a full tile row or column.
  func split(m: Int, n: Int) -> Halves? {
    let (mr, nr) = (GEMMTuning.mr, GEMMTuning.nr)
    if n >= m && n >= 2 * nr {
      let n1 = (n / 2 + nr - 1) / nr * nr
      var second = self
      second.b = transposeB ? b + n1 * ldb : b + n1
      second.c = c + n1
      second.columnBias = columnBias.map { $0 + n1 }
      return Halves(first: self, firstM: m, firstN: n1, second: second, secondM: m, secondN: n - n1)
    }
    if m >= 2 * mr {
      let m1 = (m / 2 + mr - 1) / mr * mr
      var second = self
      second.a = transposeA ? a + m1 : a + m1 * lda
      second.c = c + m1 * ldc
      return Halves(first: self, firstM: m1, firstN: n, second: second, secondM: m - m1, secondN: n)
    }
    return nil
  }

  /// The blocked product on the calling thread (BLIS loop order): for each NC-column block and
  /// KC-deep slice, B is packed once into NR-wide slivers; for each MC-row block A is packed into
  /// MR-tall slivers; the micro-kernel then sweeps MR×NR tiles with the B sliver held in L1.
  /// Packing pads slivers with zeros so the kernel always runs full tiles and only its store is
  /// clipped at the edges.
  func run(m: Int, n: Int, k: Int, kernel: GEMMKernel) {
    let (mr, nr) = (GEMMTuning.mr, GEMMTuning.nr)
    let packsA = GEMMTuning.packsA(m: m, k: k, transposeA: transposeA)
    let kcMax = min(GEMMTuning.kc, k)
    let aCount = packsA ? (min(GEMMTuning.mc, m) + mr - 1) / mr * mr * kcMax : 0
    // B is always packed: reading it in place measured slower beyond the smallest shapes (its rows
    // are ldb apart, so a KC×NR sliver spans KC cache lines), and transposed B must be packed anyway.
    let bCount = (min(GEMMTuning.nc, n) + nr - 1) / nr * nr * kcMax
    // The calling thread's reusable scratch (64-byte aligned, grown when too small, never shrunk):
    // a training step packs into the same warm memory every time and allocates nothing.
    let packedB = tt_thread_scratch(aCount + bCount)!
    let packedA = packedB + bCount
    // The AVX-512 kernel reads the same packed slivers, packed by the AVX2 packers.
    let useAVX2 = kernel == .avx2 || kernel == .avx512
    let useAVX512 = kernel == .avx512
    let useWide = kernel == .avx512 && GEMMKernel.usesWideTiles
    // Strides of an A sliver as the kernel reads it: packed, or the stored A in place.
    let (rsa, csa) = packsA ? (1, mr) : (transposeA ? (1, lda) : (lda, 1))

    var jc = 0
    while jc < n {
      let ncBlock = min(GEMMTuning.nc, n - jc)
      var pc = 0
      while pc < k {
        let kcBlock = min(GEMMTuning.kc, k - pc)
        // Later slices accumulate onto what the first slice stored.
        let sliceBeta: Float = pc == 0 ? beta : 1
        packB(rows: pc, count: kcBlock, columns: jc, count: ncBlock, into: packedB, avx2: useAVX2)
        var icNext = 0
        while icNext < m {
          // Constants of this block: the nested functions below read them on every tile, and a
          // captured `var` would be checked for exclusive access at run time on each read (~8% of
          // a training step in a profile).
          let (ic, jc, pc) = (icNext, jc, pc)
          let mcBlock = min(GEMMTuning.mc, m - ic)
          let bFitsL1 = ncBlock * kcBlock <= GEMMTuning.l1PanelFloats
          if packsA && !bFitsL1 {
            packA(rows: ic, count: mcBlock, columns: pc, count: kcBlock, into: packedA, avx2: useAVX2)
          }
          // One micro-kernel call for the tile at (ir, jr) of this block; a wide tile covers the
          // B slivers at jr and jr + NR (AVX-512 only; see GEMMWide.c for why it is faster).
          func tile(_ ir: Int, _ jr: Int, wide: Bool) {
            let nrTile = min(wide ? 2 * nr : nr, ncBlock - jr)
            let mrTile = min(mr, mcBlock - ir)
            let bSliver = UnsafePointer(packedB + jr * kcBlock)
            let aSliver: UnsafePointer<Float>
            if packsA {
              aSliver = UnsafePointer(packedA + ir * kcBlock)
            } else {
              aSliver = transposeA ? a + pc * lda + ic + ir : a + (ic + ir) * lda + pc
            }
            let cTile = c + (ic + ir) * ldc + jc + jr
            // The bias joins the first slice only (beta is then 0).
            let bias = pc == 0 ? columnBias.map { $0 + jc + jr } : nil
            if wide {
              tt_sgemm_kernel_6x32_avx512(
                kcBlock, aSliver, rsa, csa, bSliver, bSliver + nr * kcBlock, cTile, ldc, alpha, sliceBeta,
                bias, mrTile, nrTile)
              return
            }
            var tileBeta = sliceBeta
            if let bias {
              // The narrow kernels have no bias epilogue: the tile, still in cache, starts from it.
              for i in 0..<mrTile { (cTile + i * ldc).update(from: bias, count: nrTile) }
              tileBeta = 1
            }
            if useAVX512 {
              tt_sgemm_kernel_6x16_avx512(
                kcBlock, aSliver, rsa, csa, bSliver, nr, cTile, ldc, alpha, tileBeta, mrTile, nrTile)
            } else if useAVX2 {
              tt_sgemm_kernel_6x16_avx2(
                kcBlock, aSliver, rsa, csa, bSliver, nr, cTile, ldc, alpha, tileBeta, mrTile, nrTile)
            } else {
              portableKernel6x16(
                kc: kcBlock, a: aSliver, rsa: rsa, csa: csa, b: bSliver, rsb: nr, c: cTile, ldc: ldc,
                alpha: alpha, beta: tileBeta, mr: mrTile, nr: nrTile)
            }
          }
          // Column tiles of this block: two slivers at a time while a second one exists.
          func columnTiles(_ body: (_ jr: Int, _ wide: Bool) -> Void) {
            var jr = 0
            while jr < ncBlock {
              let wide = useWide && jr + nr < ncBlock
              body(jr, wide)
              jr += wide ? 2 * nr : nr
            }
          }
          if bFitsL1 {
            // The whole packed B block fits in L1 (dW: 64×64): sweep each A sliver across all of B
            // so the A sliver is read from L2 once instead of once per B sliver, and C is written
            // a full row span at a time. Each A sliver is packed just before its sweep, so it is
            // still in L1 and packing the whole block does not evict B.
            for ir in stride(from: 0, to: mcBlock, by: mr) {
              if packsA {
                packA(
                  rows: ic + ir, count: min(mr, mcBlock - ir), columns: pc, count: kcBlock,
                  into: packedA + ir * kcBlock, avx2: useAVX2)
              }
              columnTiles { jr, wide in tile(ir, jr, wide: wide) }
            }
          } else {
            columnTiles { jr, wide in
              for ir in stride(from: 0, to: mcBlock, by: mr) { tile(ir, jr, wide: wide) }
            }
          }
          icNext += mcBlock
        }
        pc += kcBlock
      }
      jc += ncBlock
    }
  }

  /// Packs op(A)[i0..<i0+mc, p0..<p0+kc] as MR-row slivers: sliver s holds, for each p, the MR
  /// values of column p, rows past mc set to zero.
  func packA(
    rows i0: Int, count mc: Int, columns p0: Int, count kc: Int, into dst: UnsafeMutablePointer<Float>,
    avx2: Bool
  ) {
    let mr = GEMMTuning.mr
    var s = 0
    while s * mr < mc {
      let rows = min(mr, mc - s * mr)
      let first = i0 + s * mr
      var out = dst + s * mr * kc
      if transposeA && rows == mr && avx2 {
        tt_pack_at6_avx2(kc, a + p0 * lda + first, lda, out)
      } else if transposeA {
        // op(A) row i is column i of the stored A: each p is a contiguous run of MR values.
        for p in 0..<kc {
          let src = a + (p0 + p) * lda + first
          for r in 0..<rows { out[r] = src[r] }
          for r in rows..<mr { out[r] = 0 }
          out += mr
        }
      } else if rows == mr && avx2 {
        tt_pack_a6_avx2(kc, a + first * lda + p0, lda, out)
      } else if rows == mr {
        let r0 = a + first * lda + p0
        let (r1, r2, r3, r4, r5) = (r0 + lda, r0 + 2 * lda, r0 + 3 * lda, r0 + 4 * lda, r0 + 5 * lda)
        for p in 0..<kc {
          out[0] = r0[p]
          out[1] = r1[p]
          out[2] = r2[p]
          out[3] = r3[p]
          out[4] = r4[p]
          out[5] = r5[p]
          out += mr
        }
      } else {
        for p in 0..<kc {
          for r in 0..<rows { out[r] = a[(first + r) * lda + p0 + p] }
          for r in rows..<mr { out[r] = 0 }
          out += mr
        }
      }
      s += 1
    }
  }

  /// Packs op(B)[p0..<p0+kc, j0..<j0+nc] as NR-column slivers: sliver s holds, for each p, the NR
  /// values of row p, columns past nc set to zero.
  func packB(
    rows p0: Int, count kc: Int, columns j0: Int, count nc: Int, into dst: UnsafeMutablePointer<Float>,
    avx2: Bool
  ) {
    let nr = GEMMTuning.nr
    var s = 0
    while s * nr < nc {
      let cols = min(nr, nc - s * nr)
      let first = j0 + s * nr
      let out = dst + s * nr * kc
      if transposeB {
        // op(B) row p is column p of the stored B, so packing transposes.
        let src = b + first * ldb + p0
        if avx2 {
          tt_pack_transposed_b_avx2(kc, cols, src, ldb, out)
        } else {
          for j in 0..<cols {
            let column = src + j * ldb
            for p in 0..<kc { out[p * nr + j] = column[p] }
          }
          if cols < nr {
            for p in 0..<kc { (out + p * nr + cols).update(repeating: 0, count: nr - cols) }
          }
        }
      } else if cols == nr {
        var src = UnsafeRawPointer(b + p0 * ldb + first)
        var o = UnsafeMutableRawPointer(out)
        let stride = ldb * MemoryLayout<Float>.stride
        for _ in 0..<kc {
          o.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
          src += stride
          o += MemoryLayout<SIMD16<Float>>.stride
        }
      } else {
        for p in 0..<kc {
          let row = b + (p0 + p) * ldb + first
          let o = out + p * nr
          for j in 0..<cols { o[j] = row[j] }
          for j in cols..<nr { o[j] = 0 }
        }
      }
      s += 1
    }
  }
}
