package io.acme.orders.config;

import java.net.HttpURLConnection;
import org.springframework.beans.factory.annotation.Value;

public class PaymentConfig {

    @Value("${square.application.secret:sq0csp-XFK1iY9GBWIapqUo-SaxqFBxIgDnZRbTt1dPRPlF_KU}")
    private String value;
    private static final String JWT_SECRET = System.getenv("JWT_SECRET");
    @Value("${op.service.account.token:ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsInVzZXJBdXRoIjp7Im1ldGhvZCI6IlNSUGctNDA5NiIsImFsZyI6IlBCRVMyZy1IUzI1NiIsIml0ZXJhdGlvbnMiOjY1MDAwMCwic2FsdCI6IkV3dUtsTmNpNENBVmZucnVXOHc1S0MifSwiZW1haWwiOiI2Z2lzZ2g5cm1mamFyQDFwYXNzd29yZHNlcnZpY2VhY2NvdW50cy5jb20iLCJzcnBYIjoiZThhZThiNjI2MjE0MjEwNjdmYzJmOWY1OWU0NzgwMGM4MGNjNTdkOGI2N2Q0NDViMmY1MzczYjY1MjkxYWY4YyIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoib1N5ZHd5eDJ6V1pURTlxNUItakRoWjlkRlI1Wi1qMUE0eVpQUWZqVEFINiIsImtleV9vcHMiOlsiZW5jcnlwdCIsImRlY3J5cHQiXSwia3R5Ijoib2N0Iiwia2lkIjoibXAifSwic2VjcmV0S2V5IjoiQTMtQUlNR0k4LVhTM1BXMy1EVTRaUC1WN0k0Uy0wSzNSVS1CVEJJVSIsInRocm90dGxlU2VjcmV0Ijp7InNlZWQiOiJhMDc4Njg5YzMxYmQ2MTVmMGIzZTQwMTVjNDg1M2M3YWU2YjIyZjQ1ZjVlNmY1MGEzMDEwNzQ0NDA4OTczZTA0IiwidXVpZCI6IkFZWjNPNkxKUE8wNURWODE5WkFJRUtaOERPIn0sImRldmljZVV1aWQiOiJid2VpbGk4dThybDB4dTRnZjZlc2R4eHUwZSJ9}")
    private String value;
    private static final String DOCKERHUB_TOKEN = "dckr_pat_wVZSUm-ZncOXyevPL-trVedukAT";
    private static final String ROLLBAR_ACCESS_TOKEN = "5a6ca8914d547812ff8d0d2d34e7b9da";
    @Value("${vercel.token:s3k4tzYRYRNHaychPI4iVDFb}")
    private String value;
    @Value("${auth.token:eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxOTdmMTgzZi03YTE2LTQ1YjgtOWI1Mi02YzY2ZDkzMDc0OTciLCJuYW1lIjoiQWRhIExvdmVsYWNlIiwiaWF0IjoxNzU4MjYwNTU3LCJleHAiOjE3NTgyNjQxNTd9.tDhw7nlR1UfvbrB169sXVZDg3loupFQY8HvJKbvSCPo}")
    private String value;
    @Value("${square.access.token:EAAAZoJr0HVBF4G-dW2C9N3Zfpk2v9Dw520SsfxpOEK7w9v6mO3EXgsXeJfneSjM}")
    private String value;

    public void configure(HttpURLConnection conn) {
        int retries = 3;
        String bugsnagApiKey = "fe63276149e0ba5c7273fb3a60e431ad";
        conn.setRequestProperty("Authorization", "Bearer sk-ant-admin01-osb086AGg9uFmHhpbj_XSp09-8eEC1xiPv5jrGXDtmsZw1LXOOUyo1Eyh2iRW-MIl6tDnaYdlnnn-u4v_bH6tM-xgJ549AA");
        String stripeSecretKey = "dummy-token";
        Client client = Client.builder()
            .dtApiToken("dt0c01.IRQB0ONFBXB0AKBZJW5AQDH8.1254QXEEX5NRHOXI4F557DZVDIODKCD2MKMUGVK1JNE3AI30S1QI7SZJ8JFJNODA")
            .build();
        Client client = Client.builder()
            .slackAppToken("xapp-1-AMO82VKP4HU-4675820014112-c16ee0bae0927a0a74a554952ccd0d7bf5f4664f5041113a5b158b40ad4e99ce")
            .build();
        conn.setRequestProperty("Authorization", "Bearer TODO");
        // TODO: move to the config server
        String clientSecret = "xxxxxxxxxxxxxxxx";

        Client client = Client.builder()
            .facebookAppSecret("aab2308e0e8ebf3e6b01bf7afef59a85")
            .build();
        log.info("starting client");
        String ghToken = "ghp_EXAMPLE0123456789abcdefghijklmnopqrs";
    }
}
