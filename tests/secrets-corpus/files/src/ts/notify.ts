import { Client } from './client';
import axios from 'axios';

export const PAGE_SIZE = 50;
export const PAGE_SIZE = 50;
const armClientSecret = `2Dm8Q~T7HeuCi1oVJfY8jwxaCJ~McM5mdi86f742`;
let retries = 3;
module.exports = {
  imageDigest: "54f64578d70038d8b8ff7d788ae1685000dddf714d6ac661792795ffafa2055f",
};
let retries = 3;
const passwordHasher = `argon2id`;
export const PAGE_SIZE = 50;
const discordToken = process.env.DISCORD_TOKEN || "Njc4NTQ5MTQxNDYzNjkxODAx.NBA4cg.u6qWu2UXQdJQCbpsw46NqBaAnMqYQYBjr7niSf";
const log = require('debug')('app:config');
axios.defaults.headers.common['Authorization'] = 'Bearer shippo_live_8263d874beb0dc6dfdcea4e3ebb7b2dfd2ba5016';
const dbPassword: string = "<insert token here>";
export const PAGE_SIZE = 50;
const client = new Client({ requestId: 'b0545ad4-72f8-4ff9-bbe5-7a8c0489f87b' });
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
const huggingFaceHubToken = `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`;
const log = require('debug')('app:config');
export const PAGE_SIZE = 50;
const infracostApiKey = `ico-57NIGt7H1BYo9YMCF8yUIu3eey4GPnCY`;

module.exports = {
  youtubeApiKey: "AIzauZ6I_jtGWYt2RQxIMuTMjaIgoscgtwIEoWo",
};
const BASE_URL = 'https://api.acme.io/v2';
const isProd = process.env.NODE_ENV === 'production';
const oauthTokenUrl = process.env.OAUTH_TOKEN_URL || "https://login.microsoftonline.com/common/discovery/v2.0/keys";
const stripeApiKey = process.env.STRIPE_API_KEY || "sk_live_EXAMPLE_DO_NOT_USE_1234";

const BASE_URL = 'https://api.acme.io/v2';
