import { chooseBackend, describeBackend } from './src/core/runtime/backend';
async function main() {
  const c = await chooseBackend('auto');
  console.log(c.name, JSON.stringify(c.tried), describeBackend(c));
  const x = c.tf.tensor4d([1,2,3,4,5,6,7,8,9], [1,3,3,1]); const k = c.tf.ones([2,2,1,1]) as any;
  console.log(c.tf.conv2d(x, k, 1, 'valid').dataSync());
  const d = await chooseBackend('cpu'); console.log(d.name, d.tf.getBackend());
}
main();
