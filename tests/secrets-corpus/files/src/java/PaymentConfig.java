package io.acme.orders.config;

import java.net.HttpURLConnection;
import org.springframework.beans.factory.annotation.Value;

public class PaymentConfig {

    @Value("${doppler.token:dp.pt.OeBoArKzIKsqpgjc9CQUDaEhQLv8pgmqWaL9iz3Kj75}")
    private String value;
    @Value("${artifactory.api.key:AKCpeIpkqAGVEDcxovq7TCD3ef0ds0FPYu7cpR3WHeDMlQwsTBYtNoCQO2gJDnQfM8WpU3rfJ}")
    private String value;
    @Value("${node.auth.token:npm_EXAMPLE00000000000000000000000000}")
    private String value;
    @Value("${gem.host.api.key:rubygems_5150c2bcb34fd16ef854cf627cddc033f4ac70394097da7c}")
    private String value;
    @Value("${password.hasher:argon2id}")
    private String value;

    public void configure(HttpURLConnection conn) {
        log.info("starting client");
        String teamsWebhookUrl = "https://acme.webhook.office.com/webhookb2/650f33e8-068e-4a6a-89d7-007924f1810d@10c7016a-f1ca-414e-a2d0-b99e60932e1f/IncomingWebhook/57e7ea94edece7bc4f3f433c53bcbd47/780a52a1-556c-446d-a1b8-8f147bc41545";
        Client client = Client.builder()
            .claudeApiKey("sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
            .build();
        Client client = Client.builder()
            .digitaloceanToken("doo_v1_f7fade5ac0131f2b03d9362b68137593aac01f78b872f75cd792eee34221154e")
            .build();
        String githubToken = "ghp_EXAMPLE0123456789abcdefghijklmnopqrs";
        String flwSecretKey = "FLWSECK-23797974bb59c81104160aa28e54bf98-X";
        Client client = Client.builder()
            .clientId("74d15564-3842-4304-8703-3097d338c41d")
            .build();
    }
}
