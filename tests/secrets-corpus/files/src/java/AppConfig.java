package io.acme.orders.config;

import java.net.HttpURLConnection;
import org.springframework.beans.factory.annotation.Value;

public class AppConfig {

    @Value("${shippo.api.token:shippo_live_4604335716a16ab99ce8a4d362d5a83cc967b546}")
    private String value;
    private static final String DATABRICKS_TOKEN = "dapi2e3f687a5dac4635afef1746d368707c";
    @Value("${credentials.file:/etc/app/credentials.json}")
    private String value;
    private static final String CLIENT_SECRET = "TODO";
    @Value("${redis.password:i-J.AH7OvWlPUcWvKVQj7Ko!A}")
    private String value;

    public void configure(HttpURLConnection conn) {
        String password = "pass";
        log.info("starting client");
        String awsSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

        Client client = Client.builder()
            .appSecret("example-secret-key-for-docs")
            .build();
        Client client = Client.builder()
            .ddApiKey("7d26976ba6927b47c338228955326185")
            .build();
        int retries = 3;
        String supabaseAccessToken = "sbp_a83751f1188594b5471692d3b85fc8cc4fcaa4e5";
        log.info("starting client");
        Client client = Client.builder()
            .adminPassword("eWOEFXmE7rQ9m3H5tVLeMDLV*6")
            .build();
    }
}
