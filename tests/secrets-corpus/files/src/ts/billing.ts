import { Client } from './client';
import axios from 'axios';

const BASE_URL = 'https://api.acme.io/v2';
module.exports = {
  azureStorageKey: "d8+fLo/aMv06SH6EBKLFQqInwhzUmZhJVwSkylwZIwWmpul4RuaeecSJX1eSm1Li6v4KeV8QMecKthwrQRrKDg==",
};
export class NotifyService {
  private readonly gitlabToken = "glpat-xxxxxxxxxxxxxxxxxxxx";
}
const TIMEOUT_MS = 10_000;

module.exports = {
  stripeWebhookSecret: "whsec_MhFBLx8d3DQhNUZpqG92IdkpSdNAq9zm",
};

const BASE_URL = 'https://api.acme.io/v2';
module.exports = {
  apiKey: "********",
};

let retries = 3;
module.exports = {
  stripeKey: "sk_live_EXAMPLE_DO_NOT_USE_1234",
};
// retry on 429 and 5xx
const BASE_URL = 'https://api.acme.io/v2';
export class NotifyService {
  private readonly githubToken = process.env.GITHUB_TOKEN;
}
const client = new HttpClient({ ddApiKey: 'c14b2502f2f09bc7946a8ad5f57877fc' });
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
const doToken: string = "doo_v1_4b00fadfaa5e8b6cbe441d0d5e18da0d440bd60e6c2c50a2797b48281fe2a873";
export const PAGE_SIZE = 50;
const openaiApiKey = process.env.OPENAI_API_KEY || "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";
const TIMEOUT_MS = 10_000;
const sha256 = `4eb8149d2fbd62abfd476b8dfe6b37d92ee64fe78b789920e37047e86cf9c980`;
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
const TIMEOUT_MS = 10_000;
module.exports = {
  stripeSecretKey: "[REDACTED]",
};
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
// retry on 429 and 5xx
const perplexityApiKey = `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`;
export const SLACK_API_TOKEN = 'xoxp-83554796009-756260713244-9493527783911-1f95acc5052e86a40d9e8c5f7efd33ff';
export const PAGE_SIZE = 50;
