import * as tf from '@tensorflow/tfjs';

type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor[] };

/** `tf.customGrad` with the inputs as an array (tfjs' own typing cannot express a fixed arity). */
export function customGrad(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => GradResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  });
  return (...inputs: tf.Tensor[]) => op(...inputs);
}
