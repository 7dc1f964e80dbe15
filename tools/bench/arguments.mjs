// A benchmark's numeric flag: `--rounds 5` → 5, absent → the fallback.
export function numberArgument(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
