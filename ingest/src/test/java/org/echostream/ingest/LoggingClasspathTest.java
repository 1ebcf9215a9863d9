package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Debian's pixelmed.jar names /usr/share/java jars in its manifest Class-Path (slf4j-jdk14, hsqldb, ...). The JDK
 * follows it on a plain class path, so in this test JVM an SLF4J 1.7 binding is reachable; SLF4J 2 ignores such
 * bindings and uses providers only, and there must be exactly one: JBoss LogManager's. (The packaged application
 * does not follow the Class-Path at all: PackagedServiceIT checks its libraries.)
 */
class LoggingClasspathTest {

    @Test
    void slf4j_has_exactly_one_provider_the_jboss_logmanager() {
        var providers = ServiceLoader.load(SLF4JServiceProvider.class).stream().map(p -> p.type().getName()).toList();
        assertThat(providers).containsExactly("org.slf4j.impl.JBossSlf4jServiceProvider");
        assertThat(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName()).startsWith("org.slf4j.impl.Slf4jLoggerFactory");
    }
}
