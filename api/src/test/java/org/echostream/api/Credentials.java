package org.echostream.api;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The passwords the api generated into its credentials file for this test run. */
final class Credentials {

    private Credentials() {
    }

    static String password(String user) {
        Properties p = new Properties();
        try (var in = new FileInputStream(SeededKafkaResource.credentialsFile.toFile())) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty(user + ".password");
    }
}
