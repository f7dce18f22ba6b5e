import type * as tfc from '@tensorflow/tfjs-core';

// The tfjs WebAssembly backend (4.22) has no Conv2DBackpropFilter kernel, so a convolution's
// weights cannot be trained on it, and the pure-JS CPU backend that has one is far too slow here
// (230 s per training step of a preset vs a few s). For training, forward.ts runs Conv2D and
// Conv2DTranspose through tf.customGrad with the gradients below, written with ops wasm has:
// for x [N,H,W,Ci], dy [N,Ho,Wo,Co], stride s,
//   dW[i,j,ci,co] = Σ_{n,h,w} x[n, h·s+i, w·s+j, ci] · dy[n,h,w,co]
// is a stride-1 convolution, dilated by s, of x transposed to [Ci,H,W,N] with dy transposed to a
// [Ho,Wo,N,Co] filter, giving [Ci,kh,kw,Co] (then transposed to [kh,kw,Ci,Co]).
// The input gradient is the usual transposed convolution (Conv2DBackpropInput, which wasm has).

function samePad(inSize: number, outSize: number, k: number, s: number): [number, number] {
  const total = Math.max((outSize - 1) * s + k - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** dL/dW of y = conv2d(x, W, strides, padding) for dy = dL/dy. */
export function conv2dFilterGrad(tf: typeof tfc, x: tfc.Tensor4D, dy: tfc.Tensor4D, kh: number, kw: number, strides: readonly [number, number], padding: 'same' | 'valid'): tfc.Tensor4D {
  return tf.tidy(() => {
    const [, H, W] = x.shape;
    const [, Ho, Wo] = dy.shape;
    const [sh, sw] = strides;
    const [pt, pb] = padding === 'same' ? samePad(H, Ho, kh, sh) : [0, 0];
    const [pl, pr] = padding === 'same' ? samePad(W, Wo, kw, sw) : [0, 0];
    let xp: tfc.Tensor4D = pt || pb || pl || pr ? tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]]) : x;
    const needH = (Ho - 1) * sh + kh, needW = (Wo - 1) * sw + kw;
    if (xp.shape[1] !== needH || xp.shape[2] !== needW) xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
    const out = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tfc.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tfc.Tensor4D, 1, 'valid', 'NHWC', [sh, sw]);
    return tf.transpose(out, [1, 2, 0, 3]) as tfc.Tensor4D;
  });
}

/** conv2d with gradients for both x and the kernel that run on every backend. */
export function trainableConv2d(tf: typeof tfc, x: tfc.Tensor4D, kernel: tfc.Tensor4D, strides: readonly [number, number], padding: 'same' | 'valid'): tfc.Tensor4D {
  const f = tf.customGrad(((xx: tfc.Tensor, kk: tfc.Tensor, save: tfc.GradSaveFunc) => {
    save([xx, kk]);
    return {
      value: tf.conv2d(xx as tfc.Tensor4D, kk as tfc.Tensor4D, strides as [number, number], padding),
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [sx, sk] = saved as tfc.Tensor4D[];
        return [
          tf.conv2dTranspose(dy as tfc.Tensor4D, sk, sx.shape, strides as [number, number], padding),
          conv2dFilterGrad(tf, sx, dy as tfc.Tensor4D, sk.shape[0], sk.shape[1], strides, padding),
        ];
      },
    };
  }) as never);
  return f(x, kernel) as tfc.Tensor4D;
}

/** conv2dTranspose (Keras kernel [kh, kw, out, in]) with gradients for both x and the kernel. */
export function trainableConv2dTranspose(tf: typeof tfc, x: tfc.Tensor4D, kernel: tfc.Tensor4D, outShape: [number, number, number, number], strides: readonly [number, number], padding: 'same' | 'valid'): tfc.Tensor4D {
  const f = tf.customGrad(((xx: tfc.Tensor, kk: tfc.Tensor, save: tfc.GradSaveFunc) => {
    save([xx, kk]);
    return {
      value: tf.conv2dTranspose(xx as tfc.Tensor4D, kk as tfc.Tensor4D, outShape, strides as [number, number], padding),
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [sx, sk] = saved as tfc.Tensor4D[];
        // y = conv2dTranspose(x, W) is the input gradient of z = conv2d(y, W): dx = conv2d(dy, W); dW swaps the roles.
        return [tf.conv2d(dy as tfc.Tensor4D, sk, strides as [number, number], padding), conv2dFilterGrad(tf, dy as tfc.Tensor4D, sx, sk.shape[0], sk.shape[1], strides, padding)];
      },
    };
  }) as never);
  return f(x, kernel) as tfc.Tensor4D;
}
