/// The vector loops of training, eight `Float`s at a time.
///
/// Written with explicit `SIMD8` because a floating-point sum is not reassociated by the
/// compiler on its own, so a plain dot-product loop would run one lane at a time.
enum DenseKernels {
    /// `Σ a[i]·b[i]` for `i < count`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        while index + 8 <= count {
            lanes += load(a + index) * load(b + index)
            index += 8
        }
        var total = lanes.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// `y += alpha·x` over `count` elements.
    @inline(__always)
    static func addScaled(_ x: UnsafePointer<Float>, _ alpha: Float, to y: UnsafeMutablePointer<Float>, _ count: Int) {
        var index = 0
        while index + 8 <= count {
            store(load(y + index) + alpha * load(x + index), to: y + index)
            index += 8
        }
        while index < count {
            y[index] += alpha * x[index]
            index += 1
        }
    }

    /// `y += x` over `count` elements.
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, _ count: Int) {
        var index = 0
        while index + 8 <= count {
            store(load(y + index) + load(x + index), to: y + index)
            index += 8
        }
        while index < count {
            y[index] += x[index]
            index += 1
        }
    }

    /// `y *= alpha` over `count` elements.
    @inline(__always)
    static func scale(_ y: UnsafeMutablePointer<Float>, by alpha: Float, _ count: Int) {
        for index in 0..<count { y[index] *= alpha }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func store(_ value: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
