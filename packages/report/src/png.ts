/**
 * SVG to PNG for `report.md`, with resvg (a Rust rasteriser shipped as prebuilt binaries in npm
 * optional dependencies: no canvas, no browser). Where no binary exists for the platform the
 * markdown report links SVG files instead.
 */

type Rasterise = (svg: string) => Uint8Array;

let rasteriser: Promise<Rasterise | undefined> | undefined;

export function loadRasteriser(): Promise<Rasterise | undefined> {
  rasteriser ??= import('@resvg/resvg-js').then(
    ({ Resvg }) =>
      (svg: string) =>
        new Resvg(svg, {
          background: 'white',
          font: { loadSystemFonts: true },
        })
          .render()
          .asPng(),
    () => undefined,
  );
  return rasteriser;
}
