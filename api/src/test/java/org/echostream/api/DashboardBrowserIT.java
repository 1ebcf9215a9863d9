package org.echostream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's headless Chromium: sign in with the generated credentials, open the flagged
 * study from the worklist, see the timeline and the heatmap keyframe, and keep screenshots under
 * target/screenshots. With -Dupdate.docs.screenshot=true the study page is also copied to
 * docs/images/dashboard.png for the README.
 */
@QuarkusTest
@WithTestResource(SeededKafkaResource.class)
class DashboardBrowserIT {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TestHTTPResource("/")
    URL root;

    /** Fills the sign-in form the browser is on as {@code user} (the local users file's password) and submits it. */
    private static void signIn(WebDriver driver, String user) {
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(Credentials.password(user));
        driver.findElement(By.id("signin")).click();
    }

    static WebDriver chromium() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1500",
                "--user-data-dir=" + Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-profile-"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void a_clinician_signs_in_opens_the_flagged_study_and_sees_timeline_and_heatmap() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        WebDriver driver = chromium();
        try {
            driver.manage().window().setSize(new Dimension(1400, 1500));
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
            driver.get(root + "index.html");
            // Not signed in: the worklist's first API call answers 401 and the page goes to the sign-in form.
            wait.until(ExpectedConditions.urlContains("/login.html"));
            signIn(driver, "clinician");

            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#worklist tbody tr.flagged")));
            assertThat(driver.findElement(By.cssSelector("#worklist tbody tr.flagged")).getText()).contains("Fixture, Flagged").contains("0.91");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("user"), "clinician (clinician)"));
            assertThat(driver.findElements(By.id("jobs-link"))).as("a clinician is not offered the admin's jobs page").isEmpty();
            // The representation panel lists every model and scanner the latents brought (the fixture's at least).
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#representation tbody"), "echojepa-sim-tiny@1.2.3"));
            assertThat(driver.findElement(By.cssSelector("#representation tbody")).getText())
                    .as("the fixture loops' scanner comes from their instance records, whatever order the rebuild read them in")
                    .contains("echostream-sim");
            assertThat((Boolean) ((JavascriptExecutor) driver).executeScript("return [...document.querySelectorAll('#representation tbody tr')]"
                    + ".some(r => r.cells[0].textContent === 'echojepa-sim-tiny@1.2.3' && r.cells[1].textContent === 'unknown');"))
                    .as("no fixture loop counted under an unknown scanner").isFalse();
            save(driver, "worklist.png");
            driver.findElement(By.cssSelector("#worklist tbody tr.flagged")).click();

            wait.until(ExpectedConditions.urlContains("/study.html"));
            wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#timeline circle.point"), 5));
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "const i = document.querySelector('#keyframe img'); return i.complete && i.naturalWidth === 336;"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("cine-time"), "frame"));
            assertThat(driver.findElements(By.cssSelector("#timeline rect.event-range"))).hasSize(1);
            assertThat(driver.findElement(By.id("events")).getText()).contains("3.75").contains("cusum");
            assertThat(driver.findElement(By.id("keyframe-info")).getText()).contains("clip 4");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("similar"), "Echo TTE follow-up"));
            assertThat(driver.findElement(By.id("study")).getText()).contains("Fixture, Flagged");
            Path shot = save(driver, "study.png");
            if (Boolean.getBoolean("update.docs.screenshot")) {
                Path docs = Path.of("..", "docs", "images");
                Files.createDirectories(docs);
                Files.copy(shot, docs.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            driver.quit();
        }
    }

    @Test
    void a_clinician_opens_a_flagged_study_awaiting_review_disagrees_and_the_worklist_shows_it_reviewed() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
            driver.get(root + "login.html");
            signIn(driver, "clinician");
            By flaggedRow = By.cssSelector("#worklist tbody tr[data-study='" + EchoFixtures.FLAGGED_STUDY + "']");
            wait.until(ExpectedConditions.presenceOfElementLocated(flaggedRow));

            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("review"))).selectByValue("awaiting");
            driver.findElement(By.cssSelector("#filters button[type=submit]")).click();
            // Only studies awaiting review are left (the first, unfiltered list may still be on screen for a moment).
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "const rows = [...document.querySelectorAll('#worklist tbody tr.row')];"
                            + " return rows.length > 0 && rows.every(r => r.textContent.includes('to review'));"));
            assertThat(driver.findElement(flaggedRow).getText()).contains("to review");
            // Keyboard only: the row takes focus and Enter opens the study.
            driver.findElement(flaggedRow).sendKeys(Keys.ENTER);

            wait.until(ExpectedConditions.urlContains("/study.html"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-info"), "flagged, not yet reviewed"));
            assertThat(driver.findElement(By.id("segment")).isDisplayed()).as("the segment is asked only for a regional finding").isFalse();
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("finding"))).selectByValue("REGIONAL_WALL_MOTION_ABNORMALITY");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("segment")));
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("segment"))).selectByValue("16");
            driver.findElement(By.id("comment")).sendKeys("lateral wall moves normally; flag is the shadow");
            driver.findElement(By.cssSelector("#review .answer.disagree")).sendKeys(Keys.ENTER);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("feedback-result"), "Recorded: disagree"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-info"), "reviewed: 0 agree, 1 disagree"));
            assertThat(driver.findElement(By.id("feedback")).getText()).contains("clinician").contains("disagree")
                    .contains("segment 16, apical lateral").contains("flag is the shadow");

            // The event too, by its row's button and the U key.
            driver.findElement(By.cssSelector("#events button.review-event")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-target"), "event 3.75"));
            new org.openqa.selenium.interactions.Actions(driver).sendKeys("u").perform();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("feedback-result"), "Recorded: uncertain on event"));
            assertThat(driver.findElement(By.id("feedback")).getText()).as("the finding went with the first answer only")
                    .containsOnlyOnce("regional wall motion abnormality");
            save(driver, "study-reviewed.png");

            driver.findElement(By.cssSelector("header a.brand")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(flaggedRow, "reviewed"));
            assertThat(driver.findElement(flaggedRow).getText()).contains("reviewed:").contains("disagree").doesNotContain("to review");
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("review"))).selectByValue("awaiting");
            driver.findElement(By.cssSelector("#filters button[type=submit]")).click();
            wait.until(ExpectedConditions.invisibilityOfElementLocated(flaggedRow));
            save(driver, "worklist-reviewed.png");
        } finally {
            driver.quit();
        }
    }

    @Test
    void an_admin_submits_an_import_from_the_jobs_page_and_follows_it() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
            driver.get(root + "login.html");
            signIn(driver, "admin");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("jobs-link"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs"), EchoFixtures.JOB_ID));
            String folder = "/archive/browser-" + System.nanoTime();
            driver.findElement(By.id("paths")).sendKeys(folder);
            driver.findElement(By.cssSelector("#submit button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("submit-result"), "Submitted job-"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("jobs"), folder));
            driver.findElement(By.id("paths")).clear();
            driver.findElement(By.id("paths")).sendKeys("relative/folder");
            driver.findElement(By.cssSelector("#submit button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("submit-result"), "is relative"));

            driver.findElement(By.id("bf-node")).sendKeys("hospital");
            driver.findElement(By.cssSelector("#backfill button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("backfill-result"), "would pull the whole archive"));
            driver.findElement(By.id("bf-patients")).sendKeys("PAT-1\nPAT-2");
            driver.findElement(By.cssSelector("#backfill button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("backfill-result"), "Submitted job-"));
            save(driver, "jobs.png");
        } finally {
            driver.quit();
        }
    }

    private static Path save(WebDriver driver, String name) throws Exception {
        Path target = SCREENSHOTS.resolve(name);
        Files.copy(((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
