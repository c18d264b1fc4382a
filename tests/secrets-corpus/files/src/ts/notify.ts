import { Client } from './client';
import axios from 'axios';

// retry on 429 and 5xx
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
fetch(url, { headers: { Authorization: "Bearer dummy-token" } });
const isProd = process.env.NODE_ENV === 'production';
const log = require('debug')('app:config');
const stripeKey = process.env.STRIPE_KEY || "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";
const TIMEOUT_MS = 10_000;
let retries = 3;
export const STRIPE_API_KEY = 'sk_live_EXAMPLE_DO_NOT_USE_1234';
const renderApiKey: string = "rnd_1v4EamWcZWGnnXeXwIeapoDwFXW6yzKD";
export const RAZORPAY_KEY_SECRET = 'mxJvhuzbzrcvCntsUTG8DLH0';
export const HCLOUD_TOKEN = 'XUOwoaHMlHwoilj90sxdi1YjyjnMWy6Vegydh3XjGuJKsobJDx4SOvOsYrDo2Dxu';
export const PAGE_SIZE = 50;

module.exports = {
  facebookAccessToken: "EAAGM7ZRkupQ0VC2Qo1IRBMcwqAcoOJukCZzi7njzgtUZ1MqHSJlOLudbzy7yfBuVIhYiPCcnfHDD8fOO7rJG0SfATpahwKh0jo3XA0VdVJG8sn4o90EzfOYO3GExes9JfmuET7meYOBTzak2uJzTAQM5anBnSbbDjyPyOjh8HmqjfvAo7BUepYwhMBr173hGY8OiOVJySAPZQtIy1",
};


export class NotifyService {
  private readonly ldApiKey = "api-699bccaa-ee26-47ed-9204-72a6b2eb5e62";
}

const BASE_URL = 'https://api.acme.io/v2';
export const WANDB_API_KEY = '8b8acc24f523ff30720066d0e407c7d4ae60a531';


const jwtSigningKey = process.env.JWT_SIGNING_KEY || "projects/acme-prod/locations/global/keyRings/app/cryptoKeys/jwt-signing-2024";


const client = new ApiClient({ bitbucketAccessToken: 'ATCTT3mB0yKIaU_iXJHXaAFRkgce8Bexi42j2KJjCvOBir7_dgKDZ5dW4l2KIJd1lhMwq1Juv4xcaHS-GAaxm5Gm1PSoUfDSwMqKdf05Py2_TjGzkR8K5dK6IuC7Jan58yX-RztengfJ-LJTp7HQ7HClxKXu_5e8O80vf4sIpFQdE1r3nKp5GqV=BD9319F2' });

const encryptionKey = "QDvdlB2L3E5gxqqJcdZMTKYMxqS1BBr3JNZJkgrgGCMVnw0nK5WFSmcTL2Cz26Ri";

export const BITBUCKET_APP_PASSWORD = 'ATBB3GJ0IB30H5599goj5NQt2KHzFOB91C087D09';

export const CF_ORIGIN_CA_KEY = 'v1.0-05f536c88d732167ef073cf6-b8e128b705c7a8def3db0e5311badb45ed3333b0d4bd3ca3e5177061bc0fb3d8bea99a7bdb04baddb9f5fbabb658d3d0c6db3a41a9d692b6e7d6d9d7023ed9518232af1e1daf66c4ca';

const authToken = Deno.env.get("AUTH_TOKEN");


const privateKeyPassphraseSecret: string = "dummy-secret-for-unit-tests";


export class NotifyService {
  private readonly amiId = "ami-0e3cb08c8c5d87340";
}


const neonApiKey: string = "napi_789vllph25lftqmowmaprsp1rvsjtkztulsw72cj40v2ehezpegnx445n7gbwo19";

