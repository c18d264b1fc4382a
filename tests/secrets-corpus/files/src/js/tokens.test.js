import { describe, it, expect } from 'vitest';
import { classify } from '../src/tokens';

describe('classify', () => {
  it('rejects AKIA + 8 chars', () => expect(classify('AKIA3DQUTXJW')).toBe('invalid'));
  it('rejects SG. + 10 chars, no second part', () => expect(classify('SG.2Q6TlAj09b')).toBe('invalid'));
  it('rejects ghp_ + 12 chars', () => expect(classify('ghp_EY7tRqXs57F7')).toBe('invalid'));
  it('rejects sk_live_ + 6 chars', () => expect(classify('sk_live_WY6NvJ')).toBe('invalid'));
  it('rejects SG. + 10 chars, no second part', () => expect(classify('SG.uLdePvA41J')).toBe('invalid'));
  it('rejects xoxb- + 5 digits only', () => expect(classify('xoxb-67734')).toBe('invalid'));
  it('rejects SG. + 10 chars, no second part', () => expect(classify('SG.se7xrS1hl7')).toBe('invalid'));
  it('rejects ghp_ with dashes', () => expect(classify('ghp_nokxdh-xfercn-qjdgae')).toBe('invalid'));
});
