package io.acme.orders.config;

import java.net.HttpURLConnection;
import org.springframework.beans.factory.annotation.Value;

public class AppConfig {

    @Value("${dd.api.key:06aed7d9dc6b328e6081170cc529ae30}")
    private String value;
    @Value("${next.public.stripe.key:pk_live_GBYh9Wtf31H5oJAc5oEu3HHN}")
    private String value;
    @Value("${aws.access.key.id:AKIAYLPB2QBGWJJJMMYX}")
    private String value;
    @Value("${mapbox.access.token:pk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6IjR3Z3VjZnRmcGZhNTFiYWJ2NmNpOTA1MGkifQ.w1xy6gYzIntXPTdlCH88vy}")
    private String value;
    private static final String OP_SECRET_KEY = "A3-S4KHLK-G0R0HI-X3JOZ-T8XFF-B00T4-LQGYH";
    @Value("${plaid.access.token:access-production-7412202c-eb7c-4f39-9bb1-9ee41e7f7422}")
    private String value;
    @Value("${cohere.api.key:1Okrgw7gmRkEQ8HStdneBoAPSda0dR1NhuN0iXEg}")
    private String value;
    private static final String GITHUB_REFRESH_TOKEN = "ghr_FNEqVB7BvYD0xmpUbxxwhyVDTR97XvdM5K0R";

    public void configure(HttpURLConnection conn) {
        log.info("starting client");
        Client client = Client.builder()
            .brandColor("#7b7")
            .build();
        Client client = Client.builder()
            .stripePublishableKey("pk_live_xYQkkHOBdwgeRbaMfuNkWUIN")
            .build();

        Client client = Client.builder()
            .themeColor("#3a8")
            .build();
        Client client = Client.builder()
            .beamerApiKey("b_yEQkTSdJ62Pz1l8wW0yjFlT_FE4Ewc6IRNRXqrfr_hUy")
            .build();
        String stripeWebhookSecret = "whsec_VJg58Ls6LtKikMpdf3DFVJZkynkM1yku";
        String ablyApiKey = "hKjngZ.knwK15:jKbUZw3qnnZKYOklHVuydon9MlJ2xEo6JcrWy5a_6hu";

        String gitlabTriggerToken = "glptt-778573b6fb113adfc3082950bb26549c27999743";
        String paypalClientSecret = "L7noCpL-e1LardhGMW3dQg4-gVmGSw_Cz_IGFWYCeUHCY70GMuQesILFz1eFZUMqHMjxMirSQ3uDNIf1";
        String tencentcloudSecretId = "AKIDhyMx6j598nPzCfT2BSBq4PP0v2oEBRlJ";
    }
}
