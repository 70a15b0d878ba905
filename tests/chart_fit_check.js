() => {
  const out = [];
  const norm = (s) => s.replace(/<[^>]*>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/\s+/g, '');
  const inside = (r, b) => r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const title = (plot.querySelector('.gtitle') || {}).textContent || '';
    const box = plot.getBoundingClientRect();
    const problems = [];
    const legendBg = plot.querySelector('.legend rect.bg');
    const legend = legendBg ? legendBg.getBoundingClientRect() : null;
    const sel = '.gtitle, .gtitle-subtitle, .xtick text, .ytick text, .bartext, .legendtext, '
      + '.annotation-text, .g-xtitle text, .g-ytitle text, .legendtitletext';
    const texts = [];
    for (const t of plot.querySelectorAll(sel)) {
      if (!t.textContent.trim()) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const cls = t.getAttribute('class') || '';
      texts.push({t, r, cls});
      if (!inside(r, box)) problems.push({kind: 'overflow', text: t.textContent, cls});
      const tr = t.getAttribute('transform') || '';
      if (/rotate\((?!0[ ,)])/.test(tr)) problems.push({kind: 'rotated', text: t.textContent, cls});
      if (legend && !/legend/.test(cls) && meets(r, legend)) problems.push({kind: 'under legend', text: t.textContent, cls});
    }
    const ticks = texts.filter(x => /tick/.test(x.t.parentNode.getAttribute('class') || ''));
    for (let i = 0; i < ticks.length; i++) for (let j = i + 1; j < ticks.length; j++)
      if (meets(ticks[i].r, ticks[j].r)) problems.push({kind: 'ticks overlap', text: ticks[i].t.textContent + ' | ' + ticks[j].t.textContent});
    const cats = new Set();
    for (const tr of (plot.data || [])) {
      if ((tr.type === 'bar' && tr.orientation === 'h') || tr.type === 'heatmap') {
        for (const y of (tr.y || [])) if (!Array.isArray(y)) cats.add(norm(String(y)));
      }
    }
    const shown = new Set(Array.from(plot.querySelectorAll('.ytick text')).map(t => norm(t.textContent)));
    const missing = [...cats].filter(c => !shown.has(c));
    if (missing.length) problems.push({kind: 'unnamed', text: missing.join(', ')});
    out.push({title, width: Math.round(box.width), problems});
  }
  return out;
}
