// A picture for Chromium's fake camera: `--use-file-for-fake-video-capture=FILE.y4m` plays a Y4M
// file instead of the synthetic pattern (a moving test card with no face in it), so the camera e2e
// case sees a known picture (the bundled astronaut.png) and can check what the models find in it. Node has zlib but no PNG decoder: decodePng reads the 8-bit, non-interlaced RGB/RGBA
// PNGs we bundle (the PNG spec's five row filters) and refuses anything else by name.
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/** Returns { width, height, rgb } (rgb: Uint8Array, 3 bytes per pixel). */
export function decodePng(file) {
  const buf = readFileSync(file);
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 8 || sig.some((b, i) => buf[i] !== b)) throw new Error(`${file}: not a PNG file`);
  let width = 0, height = 0, depth = 0, colour = 0, interlace = 0;
  const idat = [];
  for (let off = 8; off + 12 <= buf.length;) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; colour = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) {
    throw new Error(`${file}: only 8-bit non-interlaced RGB/RGBA PNGs are read here ` +
      `(bit depth ${depth}, colour type ${colour}, interlace ${interlace})`);
  }
  const bpp = colour === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error(`${file}: image data is truncated`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = y * (stride + 1) + 1, row = y * stride, up = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[row + x - bpp] : 0, b = y > 0 ? px[up + x] : 0;
      const c = x >= bpp && y > 0 ? px[up + x - bpp] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`${file}: row ${y} has unknown filter ${f}`);
      px[row + x] = (raw[src + x] + pred) & 255;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < px.length; i += bpp, j += 3) { rgb[j] = px[i]; rgb[j + 1] = px[i + 1]; rgb[j + 2] = px[i + 2]; }
  return { width, height, rgb };
}

// The size the page asks getUserMedia for (ideal 640x480): a file of exactly this size reaches the page
// unscaled and uncropped (Chromium adapts other sizes, e.g. 512x512 arrived as 480x512).
export const CAMERA = { width: 640, height: 480 };

/** Where a w x h picture's pixel (0, 0) lands in the camera frame: centred, cropped or padded. */
export function cameraOffset(w, h) {
  return [Math.floor((CAMERA.width - w) / 2), Math.floor((CAMERA.height - h) / 2)];
}

/** The picture centred on a grey CAMERA-sized frame (cropped where it is larger). */
export function cameraFrame({ width, height, rgb }) {
  const [ox, oy] = cameraOffset(width, height);
  const out = new Uint8Array(CAMERA.width * CAMERA.height * 3).fill(128);
  for (let y = 0; y < CAMERA.height; y++) {
    const sy = y - oy;
    if (sy < 0 || sy >= height) continue;
    for (let x = 0; x < CAMERA.width; x++) {
      const sx = x - ox;
      if (sx < 0 || sx >= width) continue;
      out.set(rgb.subarray(3 * (sy * width + sx), 3 * (sy * width + sx) + 3), 3 * (y * CAMERA.width + x));
    }
  }
  return { width: CAMERA.width, height: CAMERA.height, rgb: out };
}

/**
 * Writes `frames` copies of the picture as a Y4M: 4:2:0, BT.601 in studio range (Y 16-235, chroma
 * 16-240), which is what Chromium assumes for the I420 frames its file camera delivers (full-range
 * values came back with stretched contrast).
 */
export function writeY4m(file, { width, height, rgb }, frames = 2) {
  if (width % 2 || height % 2) throw new Error(`writeY4m: ${width}x${height} is not even (4:2:0)`);
  const y = new Uint8Array(width * height), u = new Uint8Array(width * height / 4), v = new Uint8Array(width * height / 4);
  const clamp = (x) => Math.max(0, Math.min(255, Math.round(x)));
  for (let i = 0; i < width * height; i++) {
    const r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
    y[i] = clamp(16 + (219 / 255) * (0.299 * r + 0.587 * g + 0.114 * b));
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < width / 2; cx++) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const i = 3 * ((2 * cy + dy) * width + 2 * cx + dx);
        r += rgb[i]; g += rgb[i + 1]; b += rgb[i + 2];
      }
      r /= 4; g /= 4; b /= 4;
      u[cy * width / 2 + cx] = clamp(128 + (224 / 255) * (-0.168736 * r - 0.331264 * g + 0.5 * b));
      v[cy * width / 2 + cx] = clamp(128 + (224 / 255) * (0.5 * r - 0.418688 * g - 0.081312 * b));
    }
  }
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420\n`, 'latin1')];
  for (let f = 0; f < frames; f++) parts.push(Buffer.from('FRAME\n', 'latin1'), y, u, v);
  writeFileSync(file, Buffer.concat(parts));
}
