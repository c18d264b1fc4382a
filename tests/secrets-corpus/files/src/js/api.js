'use strict';
import axios from 'axios';

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
const stripeSecretKey = Deno.env.get("STRIPE_SECRET_KEY");
const client = new RestClient({ gitlabDeployToken: 'gldt-fQVnAbZeGXqA0Q0vT9Oh' });
const dbPassword = process.env.DB_PASSWORD || "<api-key>";
export const STRIPE_SECRET_KEY_SECONDARY = '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';
const BASE_URL = 'https://api.acme.io/v2';
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
axios.defaults.headers.common['Authorization'] = 'Bearer AGE-SECRET-KEY-1CG9T6LJEYUZXFM4K9TC482477YE6EC5TZEJA7ZHZ38NZWQPPYT4362PXU4';
export const PAGE_SIZE = 50;
const client = new ApiClient({ dockerPassword: 'dckr_pat_S48pDB9f7l7OzCPxuyuMXwUtkrK' });
const TIMEOUT_MS = 10_000;
const apiKey = process.env["API_KEY"];
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
const opSecretKey = `A3-JLQT87-2TL6YQ-Z7KBQ-E4109-LATPG-NE0DR`;
const log = require('debug')('app:config');

const twinePassword = "pypi-AgEIcHlwaS5vcmcAiuMW25gR4FBasymQn5fpdkRHJ0l-HTuGlphATg4lk_e-cBLgPioIKe2GiJ2-jbrdDPooSgDULn_XV1Pv0UjbNWx5Q1y2_K-37zp3V57OYUdsO6FXUV1NvOsjOcnWlULn-il7OtlObhQAp_qM5MaeaGHojB7vfzZeJkiwJT3";
let retries = 3;
fetch(url, { headers: { Authorization: "Bearer rnd_MK7858FLEf397svfEYvy8WA0uNJkkLtK" } });
module.exports = {
  secretName: "prod/db/credentials",
};
module.exports = {
  jwtSecret: import.meta.env.VITE_JWT_SECRET,
};
export const PAGE_SIZE = 50;
module.exports = {
  vpcId: "vpc-0814923e4a5d42804",
};
let retries = 3;
axios.defaults.headers.common['Authorization'] = 'Bearer placeholder';
const isProd = process.env.NODE_ENV === 'production';
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
