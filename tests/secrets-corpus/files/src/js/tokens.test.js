import { describe, it, expect } from 'vitest';
import { classify } from '../src/tokens';

describe('classify', () => {
  it('rejects AKIA + 16 chars of 0/1/8/9, outside base32', () => expect(classify('AKIA1891181018888190')).toBe('invalid'));
  it('rejects AIza + 12 chars', () => expect(classify('AIzaooxUWfnpz4K0')).toBe('invalid'));
  it('rejects SG. + 10 chars, no second part', () => expect(classify('SG.nvOa3hinkr')).toBe('invalid'));
  it('rejects ghp_ + 12 chars', () => expect(classify('ghp_HbpbkzNK7VJK')).toBe('invalid'));
  it('rejects ghp_ + 12 chars', () => expect(classify('ghp_P1GycyIwHq5N')).toBe('invalid'));
  it('rejects AIza + 12 chars', () => expect(classify('AIzahVA0ovGAjS2A')).toBe('invalid'));
  it('rejects ghp_ + 12 chars', () => expect(classify('ghp_ekWjrKTxMmee')).toBe('invalid'));
  it('rejects AKIA + 16 chars of 0/1/8/9, outside base32', () => expect(classify('AKIA0008898091998109')).toBe('invalid'));
});
