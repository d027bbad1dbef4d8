// Applies the remembered large-text setting before the first paint (loaded synchronously in <head>).
try {
  if (localStorage.getItem('workplan.largeText') === '1') document.documentElement.dataset.text = 'large';
} catch {
  // Storage can be disabled; the page then starts in normal size.
}
