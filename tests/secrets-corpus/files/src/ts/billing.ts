import { Client } from './client';
import axios from 'axios';

module.exports = {
  infracostApiKey: "ico-3XWhUviBRb1yFCFclonxOD9YjmbMUdSg",
};
// retry on 429 and 5xx
const sendinblueApiKey: string = "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";
const doToken = `dor_v1_c05ac7961f87974de5eca87e79b975df3f6431388a9730a3d60b361b6caf3188`;
export const AWS_ACCESS_KEY = 'AKIAZXHLFSERJUOCIWLV';
const adminPassword = "abcdefgh";
const slackBotToken: string = "not-set";
export const PAGE_SIZE = 50;
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
module.exports = {
  snykToken: "01fa8eb8-b1e8-45a7-922a-cccf26fb21f2",
};
const passwordResetPath = "/account/password/reset";
let retries = 3;
const stripeProductId: string = "prod_N3V0v2XmJgzFNL";
const client = new RestClient({ nodeAuthToken: 'npm_EGFKP6Xl9xLgC0FH0fcLTvX7ZoYm20FP16er' });
const newRelicLicenseKey = "36f9ca86bf96c5071441a2f03a46f8468730NRAL";
const log = require('debug')('app:config');
const client = new ApiClient({ discordToken: 'MTE2NTM1ODQ5MjQzOTMyMjc1Mg.XjpmW8.Ofe2dvriKLla9cLztWB3D6sk5zT3nOK2OFC7Li' });

const awsSecretAccessKey = `<insert token here>`;

const BASE_URL = 'https://api.acme.io/v2';
const stripeTestSecretKey = `rk_test_51qPjSPRSOINtVLpQLckkKBsvKZ3PWHvKLfYY1S5bzdzIhXhZlzOYi84BwN84toznSK6xnwdZyqy0Nk1ILJrAm09iqkleNPYzPe`;

const TIMEOUT_MS = 10_000;
const secret = "pass";

const harnessPlatformApiKey: string = "pat.bZI0-93dASk8lk5kOjgsee.aTVsL7kraSuTnW6vI7GNhkNX.oPP36mQZKl9oirF03LoZ";


const perplexityApiKey: string = "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";
const isProd = process.env.NODE_ENV === 'production';
export const MAILGUN_API_KEY = 'key-63ba3c8b980036180e2d0701d00b0146';

fetch(url, { headers: { Authorization: "Bearer sl.BvYl4sWaK3mny7--64Z6hTmgDfOFT84C1DfVmj8mnH9-39vseHCSHxZgQRLj1gDQy1lKdwlXKrT0mnSq_kAMvrBwJAR9eHCEvhqHvE_sFoGFOOiKrfM7op6J_Bj632Hwj7jORVeLSIfw81M0i0o9LVVN" } });
export const GITLAB_JOB_TOKEN = 'glcbt-f5_FfrNNuHszmjJw1il_sA6';

