// aegui's latent map page: the model's decoder in plain JavaScript, and the map that drives it.
// The model (aegui/core/export/web_page.py writes it) is the JSON in #aegui-model: the decoder's
// layers in order, their float32 weights as base64, and the codes of the data on the map's plane.
// Each layer computes what aegui's numpy export (aegui/core/export/layer_source.py) computes.
"use strict";
(function () {
  const M = JSON.parse(document.getElementById("aegui-model").textContent);

  // ------------------------------------------------------------------ bytes
  function bytesOf(b64) {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function float32s(b64) {       // little-endian, whatever the machine's order
    const b = bytesOf(b64), view = new DataView(b.buffer), out = new Float32Array(b.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  function uint16s(b64) {
    const b = bytesOf(b64), view = new DataView(b.buffer), out = new Uint16Array(b.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = view.getUint16(2 * i, true);
    return out;
  }

  // ------------------------------------------------------------------ the decoder
  const SLOPE = M.slope;
  // aegui's activations (aegui/core/models/layers.py); tanh and sigmoid read the model's slope.
  const ACTIVATIONS = {
    identity: null,
    relu: (x) => (x > 0 ? x : 0),
    leaky_relu: (x) => (x > 0 ? x : 0.01 * x),
    elu: (x) => (x > 0 ? x : Math.expm1(x)),
    tanh: (x) => Math.tanh(SLOPE * x),
    sigmoid: (x) => {
      const a = SLOPE * x, e = Math.exp(-Math.abs(a));
      return a >= 0 ? 1 / (1 + e) : e / (1 + e);
    },
    softplus: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
    cosh: (x) => Math.cosh(x),
  };

  // A value in flight: data (float32) and its shape, [n] or maps [channels, height, width].
  function dense(h, t) {
    const w = t.weight, nIn = t.weight.shape[0], nOut = t.weight.shape[1], acc = new Float64Array(nOut);
    for (let i = 0; i < nIn; i++) {
      const x = h.data[i];
      if (x === 0) continue;
      const row = i * nOut;
      for (let j = 0; j < nOut; j++) acc[j] += x * w.data[row + j];
    }
    const out = new Float32Array(nOut);
    for (let j = 0; j < nOut; j++) out[j] = acc[j] + t.bias.data[j];
    return { data: out, shape: [nOut] };
  }

  // weight [out, in, kh, kw]; pad [top, bottom, left, right]: the zeros around the maps.
  function conv2d(h, t, layer) {
    const [c, H, W] = h.shape, [o, , kh, kw] = t.weight.shape, [sh, sw] = layer.stride;
    const [top, bottom, left, right] = layer.pad;
    const Ho = Math.floor((H + top + bottom - kh) / sh) + 1, Wo = Math.floor((W + left + right - kw) / sw) + 1;
    const w = t.weight.data, x = h.data, out = new Float32Array(o * Ho * Wo);
    for (let oc = 0; oc < o; oc++) {
      for (let y = 0; y < Ho; y++) {
        for (let xx = 0; xx < Wo; xx++) {
          let acc = 0;
          for (let ic = 0; ic < c; ic++) {
            for (let i = 0; i < kh; i++) {
              const r = y * sh + i - top;
              if (r < 0 || r >= H) continue;
              for (let j = 0; j < kw; j++) {
                const col = xx * sw + j - left;
                if (col < 0 || col >= W) continue;
                acc += w[((oc * c + ic) * kh + i) * kw + j] * x[(ic * H + r) * W + col];
              }
            }
          }
          out[(oc * Ho + y) * Wo + xx] = acc + t.bias.data[oc];
        }
      }
    }
    return { data: out, shape: [o, Ho, Wo] };
  }

  // weight [in, out, kh, kw]: each input pixel adds its kernel-sized stamp, stride pixels from its
  // neighbour's; of that whole output, `size` pixels from `crop` (top, left) on are kept.
  function deconv2d(h, t, layer) {
    const [c, H, W] = h.shape, [, o, kh, kw] = t.weight.shape, [sh, sw] = layer.stride;
    const Hf = (H - 1) * sh + kh, Wf = (W - 1) * sw + kw, full = new Float64Array(o * Hf * Wf);
    const w = t.weight.data, x = h.data;
    for (let ic = 0; ic < c; ic++) {
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          const v = x[(ic * H + y) * W + xx];
          if (v === 0) continue;
          for (let oc = 0; oc < o; oc++) {
            const k0 = (ic * o + oc) * kh * kw, f0 = oc * Hf * Wf;
            for (let i = 0; i < kh; i++) {
              const frow = f0 + (y * sh + i) * Wf + xx * sw, krow = k0 + i * kw;
              for (let j = 0; j < kw; j++) full[frow + j] += v * w[krow + j];
            }
          }
        }
      }
    }
    const [top, left] = layer.crop, [Ho, Wo] = layer.size, out = new Float32Array(o * Ho * Wo);
    for (let oc = 0; oc < o; oc++) {
      for (let y = 0; y < Ho; y++) {
        for (let xx = 0; xx < Wo; xx++) {
          const r = y + top, col = xx + left;
          const v = r < Hf && col < Wf ? full[(oc * Hf + r) * Wf + col] : 0;
          out[(oc * Ho + y) * Wo + xx] = v + t.bias.data[oc];
        }
      }
    }
    return { data: out, shape: [o, Ho, Wo] };
  }

  function maxpool(h, t, layer) {
    const [c, H, W] = h.shape, [kh, kw] = layer.args[0], Ho = Math.floor(H / kh), Wo = Math.floor(W / kw);
    const out = new Float32Array(c * Ho * Wo);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < Ho; y++) {
        for (let x = 0; x < Wo; x++) {
          let best = -Infinity;
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) best = Math.max(best, h.data[(ch * H + y * kh + i) * W + x * kw + j]);
          }
          out[(ch * Ho + y) * Wo + x] = best;
        }
      }
    }
    return { data: out, shape: [c, Ho, Wo] };
  }

  function upsample(h, t, layer) {
    const [c, H, W] = h.shape, [kh, kw] = layer.args[0], Ho = H * kh, Wo = W * kw;
    const out = new Float32Array(c * Ho * Wo);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < Ho; y++) {
        for (let x = 0; x < Wo; x++) {
          out[(ch * Ho + y) * Wo + x] = h.data[(ch * H + Math.floor(y / kh)) * W + Math.floor(x / kw)];
        }
      }
    }
    return { data: out, shape: [c, Ho, Wo] };
  }

  // Evaluation's batch-norm: each channel scaled and shifted by its running statistics.
  function batchnorm(h, t) {
    const c = h.shape[0], per = h.data.length / c, out = new Float32Array(h.data.length);
    for (let ch = 0; ch < c; ch++) {
      const scale = t.weight.data[ch] / Math.sqrt(t.running_var.data[ch] + M.bn_eps);
      const shift = t.bias.data[ch] - t.running_mean.data[ch] * scale;
      for (let i = ch * per; i < (ch + 1) * per; i++) out[i] = h.data[i] * scale + shift;
    }
    return { data: out, shape: h.shape };
  }

  // maps [C, H, W] -> the sample's row: pixel by pixel, a pixel's channels together.
  function toRows(h) {
    const [c, H, W] = h.shape, out = new Float32Array(h.data.length);
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < H * W; p++) out[p * c + ch] = h.data[ch * H * W + p];
    }
    return { data: out, shape: [out.length] };
  }

  const LAYERS = {
    dense, conv2d, deconv2d, maxpool, upsample, batchnorm,
    flatten: (h) => ({ data: h.data, shape: [h.data.length] }),
    unflatten: (h, t, layer) => ({ data: h.data, shape: layer.args.slice() }),
    to_rows: toRows,
  };

  const WEIGHTS = float32s(M.weights);
  const DECODER = M.layers.map((layer) => {
    const t = {};
    for (const [name, [offset, shape]] of Object.entries(layer.tensors)) {
      const size = shape.reduce((a, b) => a * b, 1);
      t[name] = { data: WEIGHTS.subarray(offset, offset + size), shape };
    }
    return { layer, t, run: LAYERS[layer.kind], act: ACTIVATIONS[layer.act] };
  });

  // The decoder's output (values in [0, 1] for a sigmoid output) for a code z.
  function decode(z) {
    let h = { data: Float32Array.from(z), shape: [z.length] };
    for (const step of DECODER) {
      h = step.run(h, step.t, step.layer);
      if (step.act) {
        const d = h.data;
        for (let i = 0; i < d.length; i++) d[i] = step.act(d[i]);
      }
    }
    return h.data;
  }

  // ------------------------------------------------------------------ the map's data
  const MAP = M.map;
  const XY = float32s(MAP.xy), LABEL_OF = uint16s(MAP.label_of), N = LABEL_OF.length;
  const ONE_D = MAP.axes[1] === "";
  const PICTURES = MAP.sprite !== "";
  const CLASSES = !PICTURES && MAP.labels.length <= 20;
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf", "#393b79", "#e7969c", "#637939", "#8c6d31", "#843c39", "#7b4173",
                   "#3182bd", "#e6550d", "#31a354", "#756bb1"];
  const ONE_COLOUR = "#24487a";
  function colourOf(labelIndex) {
    return CLASSES ? PALETTE[labelIndex % PALETTE.length] : ONE_COLOUR;
  }

  // A point (x, y) of the map -> the code the decoder reads.
  function codeAt(x, y) {
    return MAP.origin.map((o, k) => o + x * MAP.basis[0][k] + (ONE_D ? 0 : y * MAP.basis[1][k]));
  }

  let sprite = null;
  if (PICTURES) {
    sprite = new Image();
    sprite.onload = () => {
      drawMap();
      if (hovered) showReadout();
    };
    sprite.src = MAP.sprite;
  }

  // ------------------------------------------------------------------ drawing a decoded sample
  const [OH, OW] = M.shape, OC = M.shape.length === 3 ? M.shape[2] : 1;
  const outCanvas = document.getElementById("out");
  outCanvas.width = OW;
  outCanvas.height = OH;
  const zoomOut = Math.max(1, Math.floor(288 / Math.max(OH, OW)));
  outCanvas.style.width = OW * zoomOut + "px";
  outCanvas.style.height = OH * zoomOut + "px";

  // As aegui shows pixels (aegui/core/data/display.py): grey is ink (1 = black) on white, RGB as
  // it is, RGBA over white; NaN is blank paper.
  function byte(v) {
    return Number.isNaN(v) ? 255 : Math.floor(Math.min(1, Math.max(0, v)) * 255 + 0.5);
  }
  function drawSample(values) {
    const ctx = outCanvas.getContext("2d"), img = ctx.createImageData(OW, OH), px = img.data;
    for (let p = 0; p < OH * OW; p++) {
      let r, g, b;
      if (M.display === "gray") {
        r = g = b = byte(1 - values[p]);
      } else if (M.display === "rgb") {
        [r, g, b] = [0, 1, 2].map((ch) => byte(values[p * 3 + ch]));
      } else {
        const a = Math.min(1, Math.max(0, values[p * OC + 3]));
        [r, g, b] = [0, 1, 2].map((ch) => byte(Math.min(1, Math.max(0, values[p * OC + ch])) * a + 1 - a));
      }
      px.set([r, g, b, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
  }

  // ------------------------------------------------------------------ the map's view
  const box = document.getElementById("map-box");
  const mapCanvas = document.getElementById("map"), overlay = document.getElementById("overlay");
  // The map's middle (cx, cy) and its pixels a unit along each axis (kx, ky): fitted to the data
  // on each axis, as aegui's own map is, so that a narrow second component is not a thin line.
  const view = { cx: 0, cy: 0, kx: 1, ky: 1, w: 1, h: 1 };
  let hovered = null;        // {x, y, z, out, nearest}

  function fit() {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < N; i++) {
      x0 = Math.min(x0, XY[2 * i]); x1 = Math.max(x1, XY[2 * i]);
      y0 = Math.min(y0, XY[2 * i + 1]); y1 = Math.max(y1, XY[2 * i + 1]);
    }
    if (!(x1 >= x0)) { x0 = -1; x1 = 1; y0 = -1; y1 = 1; }
    let sx = x1 - x0, sy = y1 - y0;
    const span = Math.max(sx, sy, 1e-6);
    sx = Math.max(sx, span * 0.05); sy = Math.max(sy, span * 0.05);
    view.cx = (x0 + x1) / 2;
    view.cy = (y0 + y1) / 2;
    view.kx = (0.86 * view.w) / sx;
    view.ky = ONE_D ? view.kx : (0.86 * view.h) / sy;
  }
  const toScreen = (x, y) => [view.w / 2 + (x - view.cx) * view.kx, view.h / 2 - (y - view.cy) * view.ky];
  const toMap = (sx, sy) => [view.cx + (sx - view.w / 2) / view.kx, view.cy - (sy - view.h / 2) / view.ky];

  function sizeCanvases() {
    const dpr = window.devicePixelRatio || 1;
    view.w = Math.max(1, box.clientWidth);
    view.h = Math.max(1, box.clientHeight);
    for (const c of [mapCanvas, overlay]) {
      c.width = Math.round(view.w * dpr);
      c.height = Math.round(view.h * dpr);
      c.getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    }
  }

  function niceStep(span, count) {
    const raw = span / count, p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
  }
  function tickText(v, step) {
    const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    return (Math.abs(v) < step / 1e6 ? 0 : v).toFixed(digits);
  }

  function drawGrid(ctx) {
    const [x0, y1] = toMap(0, 0), [x1, y0] = toMap(view.w, view.h);
    const stepX = niceStep(x1 - x0, 8), stepY = niceStep(y1 - y0, 8);
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    for (let v = Math.ceil(x0 / stepX) * stepX; v <= x1; v += stepX) {
      const [sx] = toScreen(v, 0);
      ctx.strokeStyle = Math.abs(v) < stepX / 2 ? "#c5cad3" : "#eceef2";
      ctx.beginPath(); ctx.moveTo(Math.round(sx) + 0.5, 0); ctx.lineTo(Math.round(sx) + 0.5, view.h); ctx.stroke();
      ctx.fillStyle = "#8a93a3"; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
      ctx.fillText(tickText(v, stepX), sx, view.h - 3);
    }
    if (ONE_D) return;
    for (let v = Math.ceil(y0 / stepY) * stepY; v <= y1; v += stepY) {
      const [, sy] = toScreen(0, v);
      ctx.strokeStyle = Math.abs(v) < stepY / 2 ? "#c5cad3" : "#eceef2";
      ctx.beginPath(); ctx.moveTo(0, Math.round(sy) + 0.5); ctx.lineTo(view.w, Math.round(sy) + 0.5); ctx.stroke();
      // Not under the axis's name (top) nor the other axis's numbers (bottom).
      if (sy < 24 || sy > view.h - 20) continue;
      ctx.fillStyle = "#8a93a3"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
      ctx.fillText(tickText(v, stepY), 4, sy);
    }
  }

  function drawAxisNames(ctx) {
    ctx.font = "italic 12px system-ui, sans-serif";
    ctx.fillStyle = "#5b6474";
    ctx.textAlign = "right"; ctx.textBaseline = "bottom";
    ctx.fillText(MAP.axes[0] + " \u2192", view.w - 6, view.h - 16);
    if (!ONE_D) {
      ctx.textAlign = "left"; ctx.textBaseline = "top";
      ctx.fillText("\u2191 " + MAP.axes[1], 6, 6);
    }
  }

  const PICTURE_SIZE = 20;
  function drawPoints(ctx) {
    if (PICTURES) {
      if (!sprite || !sprite.complete) return;
      const [th, tw] = MAP.thumb, s = PICTURE_SIZE;
      for (let i = 0; i < N; i++) {
        const [sx, sy] = toScreen(XY[2 * i], XY[2 * i + 1]);
        if (sx < -s || sy < -s || sx > view.w + s || sy > view.h + s) continue;
        const col = i % MAP.columns, row = Math.floor(i / MAP.columns);
        ctx.drawImage(sprite, col * tw, row * th, tw, th, sx - s / 2, sy - (s * th) / tw / 2, s, (s * th) / tw);
      }
      return;
    }
    // Many points: smaller labels, so that the classes' shapes show through.
    ctx.font = `600 ${N > 500 ? 11 : 14}px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (let i = 0; i < N; i++) {
      const [sx, sy] = toScreen(XY[2 * i], XY[2 * i + 1]);
      if (sx < -20 || sy < -20 || sx > view.w + 20 || sy > view.h + 20) continue;
      ctx.fillStyle = colourOf(LABEL_OF[i]);
      ctx.fillText(MAP.labels[LABEL_OF[i]], sx, sy);
    }
  }

  function drawMap() {
    const ctx = mapCanvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, view.w, view.h);
    drawGrid(ctx);
    drawPoints(ctx);
    drawAxisNames(ctx);
    drawOverlay();
  }

  function drawOverlay() {
    const ctx = overlay.getContext("2d");
    ctx.clearRect(0, 0, view.w, view.h);
    if (!hovered) return;
    const [sx, sy] = toScreen(hovered.x, hovered.y);
    ctx.strokeStyle = "rgba(217, 72, 15, 0.35)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, sy); ctx.lineTo(view.w, sy); ctx.moveTo(sx, 0); ctx.lineTo(sx, view.h);
    ctx.stroke();
    let onSample = false;
    if (hovered.nearest >= 0) {
      const [nx, ny] = toScreen(XY[2 * hovered.nearest], XY[2 * hovered.nearest + 1]);
      onSample = Math.hypot(nx - sx, ny - sy) < 6;
      ctx.strokeStyle = "rgba(36, 72, 122, 0.8)";
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(nx, ny, PICTURES ? 14 : 11, 0, 2 * Math.PI); ctx.stroke();
    }
    if (!onSample) {      // a mark of its own only where it does not hide the sample's label
      ctx.strokeStyle = "#d9480f";
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(sx, sy, 5, 0, 2 * Math.PI); ctx.stroke();
    }
  }

  // ------------------------------------------------------------------ the readout
  function nearestTo(x, y) {
    let best = -1, bestD = Infinity;
    for (let i = 0; i < N; i++) {
      const dx = XY[2 * i] - x, dy = XY[2 * i + 1] - y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }
  const fmt = (v) => (v >= 0 ? "\u2007" : "") + v.toFixed(3);

  function showReadout() {
    const h = hovered;
    document.getElementById("at").textContent =
      ONE_D ? `${MAP.axes[0]} = ${h.x.toFixed(3)}` : `${MAP.axes[0]} = ${h.x.toFixed(3)}\n${MAP.axes[1]} = ${h.y.toFixed(3)}`;
    const code = document.getElementById("code");
    code.replaceChildren(...h.z.slice(0, 64).map((v, k) => {
      const cell = document.createElement("span");
      cell.textContent = `z${k} ${fmt(v)}`;
      return cell;
    }));
    if (h.z.length > 64) code.append(`\u2026 and ${h.z.length - 64} more`);
    const near = document.getElementById("nearest");
    near.replaceChildren();
    if (h.nearest < 0) return;
    if (PICTURES && sprite && sprite.complete) {
      const [th, tw] = MAP.thumb, c = document.createElement("canvas");
      c.width = tw; c.height = th; c.className = "thumb";
      const col = h.nearest % MAP.columns, row = Math.floor(h.nearest / MAP.columns);
      c.getContext("2d").drawImage(sprite, col * tw, row * th, tw, th, 0, 0, tw, th);
      near.append(c);
    }
    const label = document.createElement("span");
    label.textContent = MAP.labels[LABEL_OF[h.nearest]];
    label.style.color = colourOf(LABEL_OF[h.nearest]);
    label.className = "label";
    near.append(label);
  }

  // The point (x, y) of the map decoded and shown: the picture, the code, the nearest sample.
  function show(x, y) {
    const z = codeAt(x, y), out = decode(z);
    hovered = { x, y: ONE_D ? 0 : y, z, out, nearest: nearestTo(x, ONE_D ? 0 : y) };
    drawSample(out);
    showReadout();
    drawOverlay();
    return hovered;
  }

  // ------------------------------------------------------------------ the mouse
  let drag = null;
  function local(e) {
    const r = overlay.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }
  overlay.addEventListener("pointerdown", (e) => {
    drag = { at: local(e), cx: view.cx, cy: view.cy };
    overlay.setPointerCapture(e.pointerId);
  });
  overlay.addEventListener("pointerup", () => { drag = null; });
  overlay.addEventListener("pointermove", (e) => {
    const [sx, sy] = local(e);
    if (drag && e.buttons) {
      view.cx = drag.cx - (sx - drag.at[0]) / view.kx;
      view.cy = drag.cy + (sy - drag.at[1]) / view.ky;
      drawMap();
      return;
    }
    show(...toMap(sx, sy));
  });
  overlay.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [sx, sy] = local(e), [mx, my] = toMap(sx, sy);
    const zoom = Math.exp(-e.deltaY * 0.0015);
    view.kx *= zoom;
    view.ky *= zoom;
    // The map point under the mouse stays under it.
    view.cx = mx - (sx - view.w / 2) / view.kx;
    view.cy = my + (sy - view.h / 2) / view.ky;
    drawMap();
  }, { passive: false });
  overlay.addEventListener("dblclick", () => { fit(); drawMap(); });
  window.addEventListener("resize", () => {
    const [cx, cy, w, h] = [view.cx, view.cy, view.w, view.h];
    sizeCanvases();
    view.kx *= view.w / w;
    view.ky *= view.h / h;
    view.cx = cx; view.cy = cy;
    drawMap();
  });

  // ------------------------------------------------------------------ the page
  function fillText() {
    document.getElementById("title").textContent = M.name;
    document.getElementById("about").textContent = M.about;
    document.getElementById("how").textContent = MAP.how;
    const notes = document.getElementById("notes");
    for (const note of M.notes) {
      const p = document.createElement("p");
      p.textContent = note;
      notes.append(p);
    }
    document.getElementById("footer").textContent =
      `Exported from aegui ${M.version}. Everything this page shows is computed here, in your browser: ` +
      `the decoder's ${M.layers.length} layers run in JavaScript with the model's own weights.`;
    const legend = document.getElementById("legend");
    if (!CLASSES) { legend.hidden = true; return; }
    for (const [i, name] of MAP.labels.entries()) {
      const item = document.createElement("span");
      item.textContent = name;
      item.style.color = colourOf(i);
      legend.append(item);
    }
  }

  // Test hook: #probe=x,y;x,y moves the mouse to each map point in turn, as a person would, and
  // writes what was decoded there as JSON into #probe-result.
  function probe() {
    const m = /^#probe=(.*)$/.exec(decodeURIComponent(location.hash));
    if (!m) return;
    const rect = overlay.getBoundingClientRect(), results = [];
    for (const pair of m[1].split(";")) {
      const [x, y] = pair.split(",").map(Number), [sx, sy] = toScreen(x, y);
      overlay.dispatchEvent(new PointerEvent("pointermove", {
        clientX: rect.left + sx, clientY: rect.top + sy, bubbles: true, pointerId: 1, isPrimary: true,
      }));
      results.push({ asked: [x, y], at: [hovered.x, hovered.y], z: hovered.z, out: Array.from(hovered.out),
                     code_text: document.getElementById("code").textContent });
    }
    const ink = mapCanvas.getContext("2d").getImageData(0, 0, mapCanvas.width, mapCanvas.height).data;
    let coloured = 0;
    for (let i = 0; i < ink.length; i += 4) if (ink[i] !== ink[i + 1] || ink[i + 1] !== ink[i + 2]) coloured++;
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
    document.getElementById("probe-result").textContent =
      JSON.stringify({ points: results, map_coloured: coloured, loaded });
    document.title = "probed";
  }

  fillText();
  sizeCanvases();
  fit();
  drawMap();
  // At first, the sample nearest the middle of the data, decoded.
  let cx = 0, cy = 0;
  for (let i = 0; i < N; i++) { cx += XY[2 * i] / N; cy += XY[2 * i + 1] / N; }
  const first = N ? nearestTo(cx, cy) : -1;
  show(first >= 0 ? XY[2 * first] : 0, first >= 0 ? XY[2 * first + 1] : 0);
  probe();
})();
