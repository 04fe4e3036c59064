import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from './float16';

describe('float16 encoding', () => {
  it('encodes exact values, signs, infinities and NaN (reference bit patterns)', () => {
    expect(toFloat16Bits(0)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff); // largest finite
    expect(toFloat16Bits(1e6)).toBe(0x7c00); // overflow -> +inf
    expect(toFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(toFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x03ff).not.toBe(0);
  });

  it('rounds to nearest even, including subnormals', () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: ties to even (down)
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway: ties to even (up)
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000); // underflow
  });

  it('converts arrays', () => {
    expect(Array.from(float32ToFloat16(Float32Array.from([1, -1, 0.25])))).toEqual([0x3c00, 0xbc00, 0x3400]);
  });

  it('decodes back: every one of the 65,536 bit patterns round-trips (NaN stays NaN)', () => {
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(Object.is(fromFloat16Bits(0x8000), -0)).toBe(true);
    expect(fromFloat16Bits(0xfc00)).toBe(-Infinity);
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    for (let i = 0; i < all.length; i++) {
      if (Number.isNaN(fromFloat16Bits(i))) expect(Number.isNaN(fromFloat16Bits(back[i])), `0x${i.toString(16)}`).toBe(true);
      else if (back[i] !== i) expect(back[i], `0x${i.toString(16)}`).toBe(i);
    }
  });
});
