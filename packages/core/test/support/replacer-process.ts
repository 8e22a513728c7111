// Replaces a file, over and over, with one of two large contents until it is killed.
import { replaceFileAtomically } from '../../src/index.ts';

const [path] = process.argv.slice(2) as [string];
const contents = ['A', 'B'].map((letter) => letter.repeat(1 << 20));
console.log('ready');
for (let n = 0; ; n++) await replaceFileAtomically(path, contents[n % 2] ?? '');
