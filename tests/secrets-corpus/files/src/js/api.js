'use strict';
import axios from 'axios';

// retry on 429 and 5xx
const npmToken = process.env.NPM_TOKEN;
const isProd = process.env.NODE_ENV === 'production';
const sendgridApiKey = "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const BASE_URL = 'https://api.acme.io/v2';
const dopplerToken = process.env.DOPPLER_TOKEN || "dp.pt.K7ljJ8pN2gvfWKvtVC8LZliwH6QJ0yD7Yu97jvw6dA3";

const sha256 = process.env.SHA256 || "20e04293391a11e8fe8d6671167345ba5b143a2790e7e0f398dcf23a30fda7ff";
let retries = 3;
const mailchimpApiKey = "a74a3492ebd4c9ad4fbdf4c625d0f242-us17";

const log = require('debug')('app:config');
axios.defaults.headers.common['Authorization'] = 'Bearer sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
export const TEAMCITY_TOKEN = 'eyJ0eXAiOiAiVENWMiJ9.ll20puUIz_CxhjH5jV9BGbFwCii04HjZfi6z.i8i6v-dY2thaCvkKva7CzBmBuR6noHpgwhIn9TpXuwvo9Boi';
export const PAGE_SIZE = 50;

export const SCALINGO_API_TOKEN = 'tk-us-7Lx5GgGyu6fQMpfbCoLie8LaQ46qxq6u3BENwqwPQxOzxlFu';

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
const jenkinsToken = `11ff16c48df99a26d1c4315078b511871a`;
const TIMEOUT_MS = 10_000;

module.exports = {
  postmanApiKey: "PMAK-5e3f3f623307ec19ab4a4793-0fe1a2483e3656b1d72ea35b0e7fdacec4",
};


const cfOriginCaKey = "v1.0-504ddc049927dc24ba5a6e12-fa76ad52fe2c529ae129e347925c9bbce06d31064c656bc4760696b95edc9d3e88f6e1edf058beac5792b5d7a288eb0e451c262b9df14d56a88306a1b57e07b59fabab8f3594e0ae94";

const client = new Client({ jfrogAccessToken: 'cmVmdGtuOjAxOjowHflaKv46La6Y02FRxOCfiUS6V8TtDx8HNmLEAWdchGFg44nCs' });

const mailgunApiKey = `8ce0679c9e4ed2367649be56ec775fdd-15c99305-ffb077d1`;


export const NEXT_PUBLIC_MAPBOX_TOKEN = 'pk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6InZoMDcxaWJ3MzA2OHk0am9vZnhkcjN1aWEifQ.eDzQNXu-X-lN1WCB-S_SWs';
export const AUTH_TOKEN = '****';
const unleashInstanceToken = `glagent-iGp8hAKYJqK6aNDQpRm0UMkn4bqbK0-JGArkTmxvPJ-noCopFk`;


module.exports = {
  openrouterApiKey: "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",
};

export const GITHUB_TOKEN = 'github_pat_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';

export const OP_SECRET_KEY = 'A3-0BN91E-BSJEXP-C608Z-UAW5J-QIQ07-K8TGX';
const alibabaCloudAccessKeyId = `LTAIv1pFvUNHg8b3UFyZqsqx`;

export const SLACK_BOT_TOKEN = 'xoxb-478913208324-4195727915227-Fu8kA2u4rZImDzgKX9ATBlc5';


