import { describeError, echoed, MAX_ECHOED_CHARACTERS, truncated } from '../../lambda/strings';

describe('truncated', () => {
  test('keeps text within the bound, cuts longer text at the bound', () => {
    expect(truncated('abc', 3)).toBe('abc');
    expect(truncated('abcdef', 3)).toBe('abc');
    expect(truncated('abcdef', 3, true)).toBe('ab…');
  });

  test('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    const faces = '😀'.repeat(5); // 10 UTF-16 units, 5 characters
    expect(truncated(faces, 5)).toBe(faces);
    expect(truncated(faces, 3)).toBe('😀😀😀');
    expect(truncated(`a${faces}`, 2)).toBe('a😀');
    // A lone high surrogate at the end is kept as one unit, not joined with what is not there.
    expect(truncated('ab\ud83d', 2)).toBe('ab');
  });
});

describe('describeError', () => {
  test('name, message and causes, the one text an error becomes', () => {
    const error = new Error('outer', { cause: new Error('middle', { cause: new Error('inner') }) });
    expect(describeError(error)).toBe('Error: outer: middle: inner');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ toString: 1 })).toBe('{"toString":1}');
  });

  test('is bounded, whatever the message', () => {
    const text = describeError(new Error('x'.repeat(100_000)));
    expect(text.length).toBe(MAX_ECHOED_CHARACTERS);
    expect(text.endsWith('…')).toBe(true);
    expect(echoed('y'.repeat(100_000))).toHaveLength(MAX_ECHOED_CHARACTERS);
  });
});
