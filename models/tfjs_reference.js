#!/usr/bin/env node
// Runs a TF.js graph model on one input and writes chosen internal nodes as raw
// float32 files: the reference side of vision/tfjs_reference_test.go.
//
// Usage:
//   node models/tfjs_reference.js --tfjs DIR --model M.json --input IN.f32 \
//        --shape 1,256,256,3 --out OUTDIR NODE [NODE ...]
//
//   --tfjs   directory holding node_modules/@tensorflow/tfjs (models/tfjs-setup.sh
//            installs it into ${XDG_CACHE_HOME:-~/.cache}/posturewatch/tfjs)
//   --model  model.json of a TF.js graph model; its weights are read from the
//            files named in its weightsManifest, beside it
//   --input  raw little-endian float32, NHWC, of the given --shape. A model with an
//            int32 input (MoveNet) gets the values cast to int32; they must be whole.
//   --free-size yes  run the graph at an input height and width other than those
//            it declares (for a fully convolutional graph; optional)
//   NODE     graph node names, as in model.execute(input, [NODE, ...])
//
// Writes OUTDIR/out_<i>.f32 (raw little-endian float32, the node's own NHWC
// layout) for the i-th NODE and OUTDIR/outputs.json = [{name, shape, file}, ...].
// Uses the pure-JS CPU backend (no tfjs-node, no native code), so the numbers are
// what the library computes in a browser without WebGL.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write('tfjs_reference.js: ' + msg + '\n');
  process.exit(1);
}

function parseArgs(argv) {
  const a = { nodes: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k.startsWith('--')) {
      if (i + 1 >= argv.length) fail('missing value for ' + k);
      a[k.slice(2)] = argv[++i];
    } else {
      a.nodes.push(k);
    }
  }
  for (const k of ['tfjs', 'model', 'input', 'shape', 'out']) {
    if (!a[k]) fail('missing --' + k + ' (see the usage at the top of this file)');
  }
  if (a.nodes.length === 0) fail('name at least one graph node to write');
  a.shape = a.shape.split(',').map((s) => parseInt(s, 10));
  if (a.shape.some((d) => !(d > 0))) fail('bad --shape ' + a.shape);
  return a;
}

function loadTfjs(dir) {
  const entry = path.join(path.resolve(dir), 'node_modules', '@tensorflow', 'tfjs');
  if (!fs.existsSync(entry)) fail(entry + ' not found: run `make tfjs-ref` (models/tfjs-setup.sh)');
  return require(entry);
}

// tfjs greets node users with advice to install tfjs-node; running without it is
// deliberate here, so that one message is dropped and every other one kept.
function quietGreeting() {
  for (const k of ['log', 'warn', 'info']) {
    const orig = console[k];
    console[k] = (...args) => {
      const s = args.map(String).join(' ');
      if (/^=+$/.test(s.trim()) || s.includes('install our node backend')) return;
      orig(...args);
    };
  }
}

// freePlaceholderSize declares the graph inputs' height and width unknown. A
// graph converted for one input size declares that size, and TF.js refuses
// any other; a fully convolutional graph (BlazeFace) computes the same at any
// size its strides divide, which is how posturewatch runs it.
function freePlaceholderSize(topology) {
  for (const n of topology.node || []) {
    const dims = n.op === 'Placeholder' && n.attr && n.attr.shape && n.attr.shape.shape && n.attr.shape.shape.dim;
    if (dims && dims.length === 4) {
      dims[1].size = '-1';
      dims[2].size = '-1';
    }
  }
}

// An in-memory IO handler: node has no file:// fetch, and reading the files
// ourselves keeps the loading independent of any HTTP layer.
function fileHandler(jsonPath, freeSize) {
  return {
    load: async () => {
      const model = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      const specs = [];
      const chunks = [];
      for (const group of model.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) chunks.push(fs.readFileSync(path.join(path.dirname(jsonPath), p)));
      }
      const all = Buffer.concat(chunks);
      if (freeSize) freePlaceholderSize(model.modelTopology);
      return {
        modelTopology: model.modelTopology,
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
        signature: model.signature,
        userDefinedMetadata: model.userDefinedMetadata,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  quietGreeting();
  const tf = loadTfjs(a.tfjs);
  await tf.setBackend('cpu');
  await tf.ready();

  const count = a.shape.reduce((x, y) => x * y, 1);
  const raw = fs.readFileSync(a.input);
  if (raw.length !== 4 * count) fail(a.input + ' has ' + raw.length + ' bytes, shape ' + a.shape + ' needs ' + 4 * count);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = raw.readFloatLE(4 * i);

  const model = await tf.loadGraphModel(fileHandler(a.model, a['free-size'] === 'yes'));
  const spec = model.inputs[0];
  let input;
  if (spec.dtype === 'int32') {
    const ints = Int32Array.from(data, (v) => {
      if (v !== Math.round(v)) fail('model input is int32 but the input holds ' + v);
      return v;
    });
    input = tf.tensor(ints, a.shape, 'int32');
  } else {
    input = tf.tensor(data, a.shape, 'float32');
  }

  const outs = model.execute({ [spec.name]: input }, a.nodes);
  const list = Array.isArray(outs) ? outs : [outs];
  fs.mkdirSync(a.out, { recursive: true });
  const manifest = [];
  for (let i = 0; i < list.length; i++) {
    const v = list[i].dataSync();
    const buf = Buffer.alloc(4 * v.length);
    for (let j = 0; j < v.length; j++) buf.writeFloatLE(v[j], 4 * j);
    const file = 'out_' + i + '.f32';
    fs.writeFileSync(path.join(a.out, file), buf);
    manifest.push({ name: a.nodes[i], shape: list[i].shape, file });
  }
  fs.writeFileSync(path.join(a.out, 'outputs.json'), JSON.stringify(manifest) + '\n');
  process.stdout.write('tfjs_reference.js: tfjs ' + tf.version.tfjs + ' backend ' + tf.getBackend() +
    ', wrote ' + list.length + ' outputs to ' + a.out + '\n');
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
