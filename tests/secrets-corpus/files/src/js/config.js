'use strict';
import axios from 'axios';

const BASE_URL = 'https://api.acme.io/v2';
fetch(url, { headers: { Authorization: "Bearer dp.pt.A9PzGxwtWIkwJLjVWem32XSpnvbn6Gs747x5rNQYr5q" } });
const nodeAuthToken = `npm_icDmuV7uwN9JXQlxus2qjKqNNoqOzmR6v6ch`;
const stripeRestrictedKey = process.env.STRIPE_RESTRICTED_KEY || "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";
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

fetch(url, { headers: { Authorization: "Bearer sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" } });
const TIMEOUT_MS = 10_000;

const authToken = process.env.AUTH_TOKEN;
const TIMEOUT_MS = 10_000;
axios.defaults.headers.common['Authorization'] = 'Bearer SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
const client = new ApiClient({ awsSecretAccessKey: '<your-token>' });

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
axios.defaults.headers.common['Authorization'] = 'Bearer replace-me';
export const CLIENT_SECRET = 'dummy-token';
const BASE_URL = 'https://api.acme.io/v2';
const ghOauthToken = process.env.GH_OAUTH_TOKEN || "gho_pV13xHVGqpGM92vgStbDxKWIL6mKbCcG4FtR";
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
let retries = 3;
module.exports = {
  herokuApiKey: "HRKU-AAkkj6f1JHYUyE8eK4nPssLjT9RmuxAP8THzD56s-HZXp8iB6z4cMRfCZqJA",
};
const isProd = process.env.NODE_ENV === 'production';
// retry on 429 and 5xx
const secretBackend = process.env.SECRET_BACKEND || "aws-secretsmanager";
const client = new RestClient({ ghInstallationToken: 'ghs_NtP755nNA46ZWIkG4d4HHLPsYgD5PgdIO8wY' });
// retry on 429 and 5xx
module.exports = {
  apiKey: "WzSRCzkTLgT7W3iUAlE1LnlkoSSiKqI9nPosafg80oix0f61",
};
const TIMEOUT_MS = 10_000;
const azureStorageKey = "jY6/yQ6jaaHBO6EB0bkap2Bgt8wIuxY9WnbdkyFBwZycIbcMFDBgmovEWzFIGdchFfsGyYvQdIf/b44QfVOwqQ==";
const log = require('debug')('app:config');
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
