// img-fetch end to end against an in-process HTTP server on 127.0.0.1: every outcome a hostile or
// flaky server can cause, and that records in = records out + dropped holds in each case.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "libcommon/sha256.h"
#include "tests/support/http_server.h"
#include "tests/support/image_fixtures.h"
#include "tests/support/stream_helpers.h"
#include "tools/img-fetch/fetch_tool.h"

namespace imgpipe {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::MemFile;
using testing::TestHttpServer;

std::string Str(const testing::Bytes& b) { return std::string(b.begin(), b.end()); }

const std::string& Png() {
  static const std::string png = Str(testing::MakePng(testing::MakePattern(32, 24, 3)));
  return png;
}
const std::string& Jpeg() {
  static const std::string jpg = Str(testing::MakeJpeg(testing::MakePattern(40, 30, 3)));
  return jpg;
}

struct FetchRun {
  FetchResult result;
  std::vector<Record> records;
  std::map<std::string, const Record*> by_url;
  double seconds = 0;
  std::string Code(const std::string& url) const {
    auto it = by_url.find(url);
    if (it == by_url.end()) return "<missing>";
    auto err = it->second->FindRaw("error");
    if (!err) return "ok";
    auto e = Record::FromJson(*err);
    return e->GetString("code").value_or("?");
  }
};

FetchConfig TestConfig() {
  FetchConfig c;
  c.driver.tool = "img-fetch";
  c.driver.quiet = true;
  c.reader.plain_line_key = "url";
  c.reader.tool = "img-fetch";
  c.host.rate = 0;
  c.backoff_base = 0.05;
  c.backoff_max = 0.2;
  c.timeout = 10;
  c.concurrency = 16;
  return c;
}

FetchRun Fetch(const FetchConfig& config, const std::vector<std::string>& lines) {
  std::string input;
  for (const auto& l : lines) input += l + "\n";
  MemFile in(input), out;
  auto t0 = std::chrono::steady_clock::now();
  FetchRun run;
  run.result = RunFetch(config, in.fd(), out.fd());
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto read = testing::ReadAllRecords(out.Contents());
  EXPECT_FALSE(read.error.has_value());
  run.records = std::move(read.records);
  for (const Record& r : run.records)
    if (auto u = r.GetString("url")) run.by_url[*u] = &r;
  const RunSummary& s = run.result.summary;
  // Conservation, always.
  EXPECT_EQ(s.in + run.result.found, s.out + s.dropped);
  EXPECT_EQ(s.out, run.records.size());
  return run;
}

// A server with a table of scripted paths; unknown paths are 404 (so robots.txt is absent).
class Scripted {
 public:
  Scripted()
      : server_([this](const HttpRequest& r) { return Handle(r); }) {}
  void On(const std::string& path, std::function<HttpResponse(const HttpRequest&, int n)> f) {
    std::lock_guard lock(mu_);
    routes_[path] = std::move(f);
  }
  void Static(const std::string& path, HttpResponse r) {
    On(path, [r](const HttpRequest&, int) { return r; });
  }
  std::string Url(const std::string& path) const { return server_.Url(path); }
  TestHttpServer& server() { return server_; }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    std::function<HttpResponse(const HttpRequest&, int)> f;
    int n;
    {
      std::lock_guard lock(mu_);
      n = ++count_[r.path];
      auto it = routes_.find(r.path);
      if (it == routes_.end()) return HttpResponse::Status(404, "no");
      f = it->second;
    }
    return f(r, n);
  }
  std::mutex mu_;
  std::map<std::string, std::function<HttpResponse(const HttpRequest&, int)>> routes_;
  std::map<std::string, int> count_;
  TestHttpServer server_;  // last: stops before the routes go away
};

TEST(FetchEngine, FetchesImagesAsEncodedFramesWithProvenance) {
  Scripted s;
  s.Static("/a.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/b.jpg", HttpResponse::Ok(Jpeg(), "image/jpeg"));
  FetchRun r = Fetch(TestConfig(), {s.Url("/a.png"), "{\"url\":\"" + s.Url("/b.jpg") + "\",\"labels\":[\"cat\"]}"});
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.result.summary.ExitCode(), 0);
  const Record& a = *r.by_url.at(s.Url("/a.png"));
  EXPECT_EQ(a.payload_info.kind, PayloadKind::kEncoded);
  EXPECT_EQ(std::string(a.payload.begin(), a.payload.end()), Png());
  EXPECT_EQ(a.GetString("mime"), "image/png");
  EXPECT_EQ(a.GetInt("bytes"), int64_t(Png().size()));
  EXPECT_EQ(a.GetString("sha256"), Sha256Hex(Png().data(), Png().size()));
  EXPECT_EQ(a.GetInt("status"), 200);
  EXPECT_TRUE(a.Has("fetch"));
  EXPECT_TRUE(a.Has("id"));
  const Record& b = *r.by_url.at(s.Url("/b.jpg"));
  EXPECT_EQ(*b.FindRaw("labels"), "[\"cat\"]");  // unknown keys pass through
  EXPECT_EQ(b.GetString("mime"), "image/jpeg");
}

TEST(FetchEngine, HttpErrorsBecomeErrorRecords) {
  Scripted s;
  s.Static("/gone", HttpResponse::Status(410));
  FetchConfig c = TestConfig();
  FetchRun r = Fetch(c, {s.Url("/missing.jpg"), s.Url("/gone"), "not a url", "ftp://x/y.jpg"});
  EXPECT_EQ(r.Code(s.Url("/missing.jpg")), "http-404");
  EXPECT_EQ(r.Code(s.Url("/gone")), "http-410");
  EXPECT_EQ(r.Code("not a url"), "bad-url");
  EXPECT_EQ(r.Code("ftp://x/y.jpg"), "scheme");
  EXPECT_EQ(r.result.summary.failed, 4u);
  EXPECT_EQ(r.result.summary.ExitCode(), 1);
  // 4xx answers are not retried.
  EXPECT_EQ(s.server().Requests("/missing.jpg"), 1);
}

TEST(FetchEngine, ServerErrorsAreRetriedWithBackoffThenSucceed) {
  Scripted s;
  s.On("/flaky.png", [](const HttpRequest&, int n) {
    return n <= 2 ? HttpResponse::Status(503) : HttpResponse::Ok(Png(), "image/png");
  });
  s.On("/down.png", [](const HttpRequest&, int) { return HttpResponse::Status(500); });
  FetchConfig c = TestConfig();
  c.retries = 2;
  FetchRun r = Fetch(c, {s.Url("/flaky.png"), s.Url("/down.png")});
  EXPECT_EQ(r.Code(s.Url("/flaky.png")), "ok");
  EXPECT_EQ(s.server().Requests("/flaky.png"), 3);
  EXPECT_NE(r.by_url.at(s.Url("/flaky.png"))->FindRaw("fetch")->find("\"reasons\":[\"http-503\",\"http-503\"]"),
            std::string::npos);
  EXPECT_EQ(r.Code(s.Url("/down.png")), "http-500");
  EXPECT_EQ(s.server().Requests("/down.png"), 3);  // 1 + 2 retries
}

TEST(FetchEngine, RetryAfterIsHonoured) {
  Scripted s;
  s.On("/busy.png", [](const HttpRequest&, int n) {
    if (n == 1) {
      HttpResponse r = HttpResponse::Status(429);
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return HttpResponse::Ok(Png(), "image/png");
  });
  FetchConfig c = TestConfig();
  FetchRun r = Fetch(c, {s.Url("/busy.png")});
  EXPECT_EQ(r.Code(s.Url("/busy.png")), "ok");
  EXPECT_GE(r.seconds, 0.95);  // waited the full second, not the 50 ms backoff
}

TEST(FetchEngine, RetryAfterLongerThanTheCapFails) {
  Scripted s;
  s.On("/busy.png", [](const HttpRequest&, int) {
    HttpResponse r = HttpResponse::Status(429);
    r.headers.emplace_back("Retry-After", "3600");
    return r;
  });
  FetchConfig c = TestConfig();
  c.max_retry_after = 5;
  FetchRun r = Fetch(c, {s.Url("/busy.png")});
  EXPECT_EQ(r.Code(s.Url("/busy.png")), "http-429");
  EXPECT_LT(r.seconds, 3);
}

TEST(FetchEngine, RedirectChainsAreFollowedAndLoopsStopped) {
  Scripted s;
  s.Static("/r1", HttpResponse::Redirect(301, "/r2"));
  s.Static("/r2", HttpResponse::Redirect(302, s.Url("/img.png")));
  s.Static("/img.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/loop1", HttpResponse::Redirect(302, "/loop2"));
  s.Static("/loop2", HttpResponse::Redirect(302, "/loop1"));
  s.Static("/ftp", HttpResponse::Redirect(302, "ftp://127.0.0.1/x.png"));
  s.Static("/file", HttpResponse::Redirect(302, "file:///etc/passwd"));
  FetchConfig c = TestConfig();
  c.allow_private = true;  // the test server is on loopback
  c.max_redirects = 4;
  FetchRun r = Fetch(c, {s.Url("/r1"), s.Url("/loop1"), s.Url("/ftp"), s.Url("/file")});
  EXPECT_EQ(r.Code(s.Url("/r1")), "ok");
  EXPECT_EQ(r.by_url.at(s.Url("/r1"))->GetString("final_url"), s.Url("/img.png"));
  EXPECT_EQ(r.Code(s.Url("/loop1")), "too-many-redirects");
  EXPECT_EQ(s.server().Requests("/loop1") + s.server().Requests("/loop2"), 5);
  EXPECT_EQ(r.Code(s.Url("/ftp")), "scheme");
  EXPECT_EQ(r.Code(s.Url("/file")), "scheme");
}

TEST(FetchEngine, RedirectsToPrivateAddressesAreRefusedAtConnectTime) {
  Scripted s;
  // Another loopback address: a new connection, refused in the open-socket hook.
  s.Static("/to-other", HttpResponse::Redirect(302, "http://127.0.0.2:" + std::to_string(s.server().port()) + "/x.png"));
  // The same server: the connection is reused, refused in the pre-request hook.
  s.Static("/to-self", HttpResponse::Redirect(302, "/img.png"));
  // A name that resolves to loopback (DNS tricks do not get around the check).
  s.Static("/to-name", HttpResponse::Redirect(302, "http://localhost:" + std::to_string(s.server().port()) + "/img.png"));
  s.Static("/img.png", HttpResponse::Ok(Png(), "image/png"));
  FetchConfig c = TestConfig();
  FetchRun r = Fetch(c, {s.Url("/to-other"), s.Url("/to-self"), s.Url("/to-name"), s.Url("/img.png")});
  EXPECT_EQ(r.Code(s.Url("/to-other")), "private-address");
  EXPECT_EQ(r.Code(s.Url("/to-self")), "private-address");
  EXPECT_EQ(r.Code(s.Url("/to-name")), "private-address");
  EXPECT_EQ(r.Code(s.Url("/img.png")), "ok");  // input URLs are trusted by default
  EXPECT_EQ(s.server().Requests("/img.png"), 1);  // no request reached the target via a redirect
}

TEST(FetchEngine, DenyPrivateRefusesInputUrlsToo) {
  Scripted s;
  s.Static("/img.png", HttpResponse::Ok(Png(), "image/png"));
  FetchConfig c = TestConfig();
  c.deny_private = true;
  FetchRun r = Fetch(c, {s.Url("/img.png")});
  EXPECT_EQ(r.Code(s.Url("/img.png")), "private-address");
  EXPECT_EQ(s.server().Requests("/img.png"), 0);
}

TEST(FetchEngine, SlowDripTimesOutOnTheLowSpeedLimit) {
  Scripted s;
  HttpResponse drip = HttpResponse::Ok(Png(), "image/png");
  drip.drip_bytes = 1;
  drip.drip_interval_ms = 200;
  s.Static("/drip.png", drip);
  FetchConfig c = TestConfig();
  c.low_speed_limit = 100;
  c.low_speed_time = 1;
  c.retries = 0;
  FetchRun r = Fetch(c, {s.Url("/drip.png")});
  EXPECT_EQ(r.Code(s.Url("/drip.png")), "timeout");
  EXPECT_LT(r.seconds, 5);
}

TEST(FetchEngine, TotalTimeoutStopsAStalledServer) {
  Scripted s;
  HttpResponse slow = HttpResponse::Ok(Png(), "image/png");
  slow.delay_ms = 5000;
  s.Static("/slow.png", slow);
  FetchConfig c = TestConfig();
  c.timeout = 0.5;
  c.retries = 0;
  FetchRun r = Fetch(c, {s.Url("/slow.png")});
  EXPECT_EQ(r.Code(s.Url("/slow.png")), "timeout");
  EXPECT_LT(r.seconds, 3);
}

TEST(FetchEngine, EndlessBodyIsCutAtMaxBytes) {
  Scripted s;
  HttpResponse endless = HttpResponse::Ok(Png(), "image/png");  // a PNG that never ends
  endless.endless = true;
  s.Static("/endless.png", endless);
  // A Content-Length that lies (small) does not matter: bytes are counted as they come.
  HttpResponse big = HttpResponse::Ok(Png() + std::string(300000, 'x'), "image/png");
  s.Static("/big.png", big);
  FetchConfig c = TestConfig();
  c.max_bytes = 100000;
  FetchRun r = Fetch(c, {s.Url("/endless.png"), s.Url("/big.png")});
  EXPECT_EQ(r.Code(s.Url("/endless.png")), "too-large");
  EXPECT_EQ(r.Code(s.Url("/big.png")), "too-large");
}

TEST(FetchEngine, NonImagesAreAbortedEarly) {
  Scripted s;
  HttpResponse html = HttpResponse::Ok("<html>" + std::string(1 << 20, ' ') + "</html>", "image/jpeg");
  html.drip_bytes = 4096;
  html.drip_interval_ms = 20;  // would take 5 s to send in full
  s.Static("/fake.jpg", html);
  s.Static("/mislabelled", HttpResponse::Ok(Png(), "text/html"));  // the bytes decide, not the header
  FetchRun r = Fetch(TestConfig(), {s.Url("/fake.jpg"), s.Url("/mislabelled")});
  EXPECT_EQ(r.Code(s.Url("/fake.jpg")), "not-image");
  EXPECT_EQ(r.Code(s.Url("/mislabelled")), "ok");
  EXPECT_LT(r.seconds, 2);
}

TEST(FetchEngine, PixelBombIsAbortedFromTheStreamedHeader) {
  Scripted s;
  std::string bomb = Str(testing::MakePngHeaderBomb(100000, 100000));
  HttpResponse r1 = HttpResponse::Ok(bomb + std::string(1 << 20, '\0'), "image/png");
  r1.drip_bytes = 64;
  r1.drip_interval_ms = 50;  // the whole body would take minutes
  s.Static("/bomb.png", r1);
  FetchRun r = Fetch(TestConfig(), {s.Url("/bomb.png")});
  EXPECT_EQ(r.Code(s.Url("/bomb.png")), "too-large");
  EXPECT_LT(r.seconds, 2);
}

TEST(FetchEngine, TruncatedAndResetTransfersAreRetryableErrors) {
  Scripted s;
  HttpResponse cut = HttpResponse::Ok(Png(), "image/png");
  cut.truncate_at = Png().size() / 2;
  s.Static("/cut.png", cut);
  HttpResponse reset;
  reset.reset = true;
  s.Static("/reset.png", reset);
  FetchConfig c = TestConfig();
  c.retries = 1;
  FetchRun r = Fetch(c, {s.Url("/cut.png"), s.Url("/reset.png")});
  EXPECT_EQ(r.Code(s.Url("/cut.png")), "truncated");
  EXPECT_EQ(r.Code(s.Url("/reset.png")), "http-error");
  EXPECT_EQ(s.server().Requests("/cut.png"), 2);
}

TEST(FetchEngine, RobotsTxtIsFetchedOnceAndObeyed) {
  Scripted s;
  s.Static("/robots.txt", HttpResponse::Ok("User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n",
                                           "text/plain"));
  s.Static("/private/a.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/public/a.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/public/b.png", HttpResponse::Ok(Png(), "image/png"));
  FetchRun r = Fetch(TestConfig(), {s.Url("/private/a.png"), s.Url("/public/a.png"), s.Url("/public/b.png")});
  EXPECT_EQ(r.Code(s.Url("/private/a.png")), "robots");
  EXPECT_EQ(r.Code(s.Url("/public/a.png")), "ok");
  EXPECT_EQ(r.Code(s.Url("/public/b.png")), "ok");
  EXPECT_EQ(s.server().Requests("/robots.txt"), 1);
  EXPECT_EQ(s.server().Requests("/private/a.png"), 0);

  FetchConfig c = TestConfig();
  c.robots = false;
  FetchRun r2 = Fetch(c, {s.Url("/private/a.png")});
  EXPECT_EQ(r2.Code(s.Url("/private/a.png")), "ok");
}

TEST(FetchEngine, XRobotsTagOptOutIsHonoured) {
  Scripted s;
  HttpResponse noai = HttpResponse::Ok(Png(), "image/png");
  noai.headers.emplace_back("X-Robots-Tag", "noai, noimageai");
  s.Static("/noai.png", noai);
  HttpResponse other = HttpResponse::Ok(Png(), "image/png");
  other.headers.emplace_back("X-Robots-Tag", "otherbot: noindex");
  s.Static("/other.png", other);
  FetchRun r = Fetch(TestConfig(), {s.Url("/noai.png"), s.Url("/other.png")});
  EXPECT_EQ(r.Code(s.Url("/noai.png")), "noai");
  EXPECT_EQ(r.Code(s.Url("/other.png")), "ok");
}

TEST(FetchEngine, PerHostConcurrencyAndRateAreRespected) {
  std::mutex mu;
  int active = 0, peak = 0;
  Scripted s;
  for (int i = 0; i < 12; ++i)
    s.On("/i" + std::to_string(i) + ".png", [&](const HttpRequest&, int) {
      {
        std::lock_guard lock(mu);
        peak = std::max(peak, ++active);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      {
        std::lock_guard lock(mu);
        --active;
      }
      return HttpResponse::Ok(Png(), "image/png");
    });
  FetchConfig c = TestConfig();
  c.host.per_host = 3;
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back(s.Url("/i" + std::to_string(i) + ".png"));
  FetchRun r = Fetch(c, urls);
  EXPECT_EQ(r.records.size(), 12u);
  EXPECT_LE(peak, 3);
  EXPECT_GE(peak, 2);

  c.host.per_host = 8;
  c.host.rate = 10;  // 10 requests/s: 12 requests take more than a second
  FetchRun r2 = Fetch(c, urls);
  EXPECT_EQ(r2.result.summary.failed, 0u);
  EXPECT_GE(r2.seconds, 1.0);
}

TEST(FetchEngine, CrawlFindsImagesWithAltTextAndFollowsLinks) {
  Scripted s;
  std::string page =
      "<html><head><base href=\"/imgs/\"><meta property=\"og:image\" content=\"/og.png\"></head><body>"
      "<img src=\"rel.png\" alt=\"a red cat\">"
      "<img src=\"small.png\" srcset=\"small.png 1x, large.png 2x\" alt=\"big\">"
      "<picture><source srcset=\"pic-400.png 400w, pic-800.png 800w\"><img src=\"pic.png\" alt=\"pic\"></picture>"
      "<a href=\"/full.jpg\">full size</a>"
      "<a href=\"/page2.html\">next</a>"
      "<a href=\"http://example.invalid/elsewhere.html\">away</a>"
      "</body></html>";
  s.Static("/page1.html", HttpResponse::Ok(page, "text/html; charset=utf-8"));
  s.Static("/page2.html", HttpResponse::Ok("<img src=\"/imgs/p2.png\" alt=\"second\"><img src=\"/imgs/rel.png\">",
                                           "text/html"));
  for (std::string p : {"/imgs/rel.png", "/imgs/large.png", "/imgs/pic-800.png", "/og.png", "/imgs/p2.png"})
    s.Static(p, HttpResponse::Ok(Png(), "image/png"));
  s.Static("/full.jpg", HttpResponse::Ok(Jpeg(), "image/jpeg"));
  FetchConfig c = TestConfig();
  c.crawl = true;
  c.depth = 1;
  c.allow_private = true;  // crawled links to the loopback test server
  FetchRun r = Fetch(c, {"{\"url\":\"" + s.Url("/page1.html") + "\",\"split\":\"train\"}"});
  EXPECT_EQ(r.Code(s.Url("/imgs/rel.png")), "ok");
  EXPECT_EQ(r.by_url.at(s.Url("/imgs/rel.png"))->GetString("alt"), "a red cat");
  EXPECT_EQ(r.by_url.at(s.Url("/imgs/rel.png"))->GetString("page"), s.Url("/page1.html"));
  EXPECT_EQ(r.by_url.at(s.Url("/imgs/rel.png"))->GetString("split"), "train");  // inherited
  EXPECT_EQ(r.Code(s.Url("/imgs/large.png")), "ok");
  EXPECT_EQ(r.Code(s.Url("/imgs/pic-800.png")), "ok");
  EXPECT_EQ(r.by_url.at(s.Url("/imgs/pic-800.png"))->GetString("alt"), "pic");
  EXPECT_EQ(r.Code(s.Url("/og.png")), "ok");
  EXPECT_EQ(r.Code(s.Url("/full.jpg")), "ok");
  EXPECT_EQ(r.by_url.at(s.Url("/full.jpg"))->GetString("alt"), "full size");
  EXPECT_EQ(r.Code(s.Url("/imgs/p2.png")), "ok");
  EXPECT_EQ(r.Code(s.Url("/page2.html")), "ok");
  EXPECT_EQ(r.by_url.count("http://example.invalid/elsewhere.html"), 0u);  // other host: not followed
  EXPECT_EQ(s.server().Requests("/imgs/rel.png"), 1);  // deduplicated across pages
  EXPECT_EQ(s.server().Requests("/imgs/small.png"), 0);
  EXPECT_EQ(r.result.found, 7u);  // 6 images + 1 page
}

TEST(FetchEngine, CrawledLinksToPrivateAddressesAreRefusedByDefault) {
  Scripted s;
  s.Static("/page.html", HttpResponse::Ok("<img src=\"/a.png\">", "text/html"));
  s.Static("/a.png", HttpResponse::Ok(Png(), "image/png"));
  FetchConfig c = TestConfig();
  c.crawl = true;
  FetchRun r = Fetch(c, {s.Url("/page.html")});
  EXPECT_EQ(r.Code(s.Url("/page.html")), "ok");
  EXPECT_EQ(r.Code(s.Url("/a.png")), "private-address");
}

class FetchFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "imgpipe-fetch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FetchFiles, SaveWritesFilesAndEmitsNdjsonWithPath) {
  Scripted s;
  s.Static("/a.png", HttpResponse::Ok(Png(), "image/png"));
  FetchConfig c = TestConfig();
  c.save_dir = (dir_ / "out").string();
  FetchRun r = Fetch(c, {s.Url("/a.png")});
  ASSERT_EQ(r.records.size(), 1u);
  const Record& rec = r.records[0];
  EXPECT_FALSE(rec.HasPayload());
  auto path = rec.GetString("path");
  ASSERT_TRUE(path);
  std::ifstream f(*path, std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(f)), {});
  EXPECT_EQ(got, Png());
  EXPECT_EQ(rec.GetString("sha256"), Sha256Hex(Png().data(), Png().size()));
  for (auto& e : std::filesystem::directory_iterator(dir_ / "out"))
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(FetchFiles, JournalResumeSkipsSettledAndRetriesRetryable) {
  Scripted s;
  s.Static("/ok.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/404.png", HttpResponse::Status(404));
  s.On("/flaky.png", [](const HttpRequest&, int n) {
    return n == 1 ? HttpResponse::Status(503) : HttpResponse::Ok(Jpeg(), "image/jpeg");
  });
  FetchConfig c = TestConfig();
  c.journal = (dir_ / "j.ndjson").string();
  c.retries = 0;
  std::vector<std::string> urls = {s.Url("/ok.png"), s.Url("/404.png"), s.Url("/flaky.png")};
  // A run killed mid-write left a torn last line.
  { std::ofstream(c.journal) << "{\"url\":\"http://torn"; }
  FetchRun r1 = Fetch(c, urls);
  EXPECT_EQ(r1.Code(s.Url("/flaky.png")), "http-503");
  EXPECT_EQ(r1.records.size(), 3u);
  FetchRun r2 = Fetch(c, urls);
  ASSERT_EQ(r2.records.size(), 1u);  // only the retryable failure is fetched again
  EXPECT_EQ(r2.Code(s.Url("/flaky.png")), "ok");
  EXPECT_EQ(r2.result.skipped_journal, 2u);
  EXPECT_EQ(s.server().Requests("/ok.png"), 1);
  EXPECT_EQ(s.server().Requests("/404.png"), 1);
  FetchRun r3 = Fetch(c, urls);
  EXPECT_EQ(r3.records.size(), 0u);
  EXPECT_EQ(r3.result.summary.dropped, 3u);
  // Every journal line is whole JSON, each batch ends with a commit line.
  std::ifstream j(c.journal);
  std::string line, last;
  int outcomes = 0;
  while (std::getline(j, line)) {
    auto rec = Record::FromJson(line);
    EXPECT_TRUE(rec.ok()) << line;
    if (rec.ok() && rec->Has("url")) ++outcomes;
    last = line;
  }
  EXPECT_EQ(outcomes, 4);  // 3 outcomes, then the retried one
  EXPECT_EQ(last.rfind("{\"commit\":", 0), 0u) << last;
}

// Runs img-fetch with -o `path` (a regular file), as main() opens it with a journal.
FetchResult FetchToFile(const FetchConfig& config, const std::vector<std::string>& urls, const std::string& path,
                        int extra_flags = 0) {
  std::string input;
  for (const auto& u : urls) input += u + "\n";
  MemFile in(input);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | extra_flags, 0644);
  EXPECT_GE(fd, 0);
  FetchResult res = RunFetch(config, in.fd(), fd);
  close(fd);
  return res;
}

std::vector<std::string> UrlsInFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  auto read = testing::ReadAllRecords(bytes);
  EXPECT_FALSE(read.error.has_value()) << read.error->message;
  std::vector<std::string> urls;
  for (const Record& r : read.records) urls.push_back(r.GetString("url").value_or("?"));
  std::sort(urls.begin(), urls.end());
  return urls;
}

// The window a SIGKILL can hit: records flushed to the output, the journal commit not yet made.
// The resumed run cuts them off (with a torn frame after them) and fetches those URLs again.
TEST_F(FetchFiles, RecordsPastTheLastCommitAreCutAndFetchedAgain) {
  Scripted s;
  for (std::string p : {"/a.png", "/b.png", "/c.png", "/d.png"}) s.Static(p, HttpResponse::Ok(Png(), "image/png"));
  FetchConfig c = TestConfig();
  c.journal = (dir_ / "j").string();
  std::string out = (dir_ / "out.ipf").string();
  c.output_path = out;
  EXPECT_EQ(FetchToFile(c, {s.Url("/a.png"), s.Url("/b.png")}, out).summary.out, 2u);
  uint64_t committed = std::filesystem::file_size(out);
  // A record written but never journaled, and half of another.
  FetchConfig plain = TestConfig();
  FetchToFile(plain, {s.Url("/c.png")}, out, O_APPEND);
  { std::ofstream(out, std::ios::app) << "IPF-half-a-frame"; }
  ASSERT_GT(std::filesystem::file_size(out), committed);
  FetchResult r = FetchToFile(c, {s.Url("/a.png"), s.Url("/b.png"), s.Url("/c.png"), s.Url("/d.png")}, out);
  EXPECT_EQ(r.skipped_journal, 2u);
  EXPECT_EQ(r.summary.out, 2u);
  std::vector<std::string> want = {s.Url("/a.png"), s.Url("/b.png"), s.Url("/c.png"), s.Url("/d.png")};
  EXPECT_EQ(UrlsInFile(out), want);  // each exactly once, no partial frame
  EXPECT_EQ(s.server().Requests("/a.png"), 1);
  EXPECT_EQ(s.server().Requests("/c.png"), 2);  // the uncommitted one, fetched again
  // An output emptied behind the journal's back is refused rather than silently missing a and b.
  { std::ofstream(out, std::ios::trunc); }
  FetchResult bad = FetchToFile(c, {s.Url("/a.png")}, out);
  EXPECT_TRUE(bad.summary.stream_error);
  EXPECT_EQ(bad.summary.ExitCode(), 2);
}

// Crawl mode: a resumed crawl reads its pages again but writes neither them nor their settled
// images twice.
TEST_F(FetchFiles, ResumedCrawlWritesPagesAndImagesOnce) {
  Scripted s;
  s.Static("/page.html", HttpResponse::Ok("<img src=\"/a.png\"><img src=\"/b.png\"><a href=\"/p2.html\">2</a>",
                                          "text/html"));
  s.Static("/p2.html", HttpResponse::Ok("<img src=\"/c.png\">", "text/html"));
  s.Static("/a.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/c.png", HttpResponse::Ok(Png(), "image/png"));
  s.On("/b.png", [](const HttpRequest&, int n) {
    return n == 1 ? HttpResponse::Status(503) : HttpResponse::Ok(Jpeg(), "image/jpeg");
  });
  FetchConfig c = TestConfig();
  c.crawl = true;
  c.depth = 1;
  c.allow_private = true;
  c.retries = 0;
  c.journal = (dir_ / "j").string();
  FetchRun r1 = Fetch(c, {s.Url("/page.html")});
  EXPECT_EQ(r1.records.size(), 5u);  // 2 pages, 3 images
  EXPECT_EQ(r1.Code(s.Url("/b.png")), "http-503");
  FetchRun r2 = Fetch(c, {s.Url("/page.html")});
  ASSERT_EQ(r2.records.size(), 1u);  // only the retryable failure
  EXPECT_EQ(r2.Code(s.Url("/b.png")), "ok");
  EXPECT_EQ(s.server().Requests("/a.png"), 1);
  EXPECT_EQ(s.server().Requests("/c.png"), 1);
  EXPECT_EQ(s.server().Requests("/page.html"), 2);  // read again for its links
  EXPECT_EQ(r2.result.skipped_journal, 4u);        // 2 pages, a and c
  FetchRun r3 = Fetch(c, {s.Url("/page.html")});
  EXPECT_EQ(r3.records.size(), 0u);
}

TEST(FetchEngine, DedupDropsRepeatedContentAndShardSplitsTheInput) {
  Scripted s;
  s.Static("/a.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/same-as-a.png", HttpResponse::Ok(Png(), "image/png"));
  s.Static("/b.jpg", HttpResponse::Ok(Jpeg(), "image/jpeg"));
  FetchConfig c = TestConfig();
  c.dedup = true;
  FetchRun r = Fetch(c, {s.Url("/a.png"), s.Url("/same-as-a.png"), s.Url("/b.jpg")});
  EXPECT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.result.duplicates, 1u);

  std::vector<std::string> urls;
  for (int i = 0; i < 20; ++i) {
    urls.push_back(s.Url("/s" + std::to_string(i) + ".png"));
    s.Static("/s" + std::to_string(i) + ".png", HttpResponse::Ok(Png(), "image/png"));
  }
  std::set<std::string> seen;
  size_t total = 0;
  for (uint32_t i = 0; i < 3; ++i) {
    FetchConfig sc = TestConfig();
    sc.shard_index = i;
    sc.shard_count = 3;
    FetchRun part = Fetch(sc, urls);
    total += part.records.size();
    for (auto& [u, rec] : part.by_url) EXPECT_TRUE(seen.insert(u).second) << u;
  }
  EXPECT_EQ(total, 20u);
}

TEST(FetchEngine, UpstreamErrorsPassAndOnErrorDropDrops) {
  Scripted s;
  FetchConfig c = TestConfig();
  c.driver.on_error = OnError::kDrop;
  FetchRun r = Fetch(c, {"{\"url\":\"x\",\"error\":{\"tool\":\"img-cat\",\"code\":\"io\",\"message\":\"m\"}}",
                    s.Url("/missing.png"), "{bad json"});
  EXPECT_EQ(r.records.size(), 1u);  // the upstream error passes untouched
  EXPECT_EQ(r.result.summary.upstream_errors, 1u);
  EXPECT_EQ(r.result.summary.failed, 2u);
  EXPECT_EQ(r.result.summary.dropped, 2u);
}

TEST(FetchEngine, CircuitBreakerSkipsAFailingHost) {
  Scripted s;
  std::vector<std::string> urls;
  for (int i = 0; i < 10; ++i) {
    urls.push_back(s.Url("/e" + std::to_string(i) + ".png"));
    s.Static("/e" + std::to_string(i) + ".png", HttpResponse::Status(500));
  }
  FetchConfig c = TestConfig();
  c.retries = 0;
  c.host.per_host = 1;
  c.host.breaker_failures = 3;
  FetchRun r = Fetch(c, urls);
  EXPECT_EQ(r.result.summary.failed, 10u);
  EXPECT_GE(r.result.summary.failures_by_code["host-down"], 6u);
  EXPECT_LE(s.server().Log().size(), 4u);
}

}  // namespace
}  // namespace imgpipe
