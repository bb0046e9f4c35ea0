// img-fetch's parts on their own: URL safety, robots.txt and X-Robots-Tag, the streamed image
// probe, HTML link extraction, the host scheduler, the journal and resuming, summary classes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/image_fixtures.h"
#include "tools/img-fetch/failure_class.h"
#include "tools/img-fetch/fetch_tool.h"
#include "tools/img-fetch/host_scheduler.h"
#include "tools/img-fetch/html_links.h"
#include "tools/img-fetch/image_probe.h"
#include "tools/img-fetch/journal.h"
#include "tools/img-fetch/output_resume.h"
#include "tools/img-fetch/robots.h"
#include "tools/img-fetch/url_safety.h"

namespace imgpipe {
namespace {

TEST(FetchUrl, PrivateAddresses) {
  for (const char* ip : {"127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                         "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                         "fe80::1", "fc00::1", "fd12::3", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
                         "garbage"})
    EXPECT_TRUE(IsPrivateAddress(ip)) << ip;
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8"})
    EXPECT_FALSE(IsPrivateAddress(ip)) << ip;
}

TEST(FetchUrl, ParseAndResolve) {
  auto p = ParseHttpUrl("HTTP://Example.COM/a/b.jpg?x=1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scheme, "http");
  EXPECT_EQ(p->host, "example.com");
  EXPECT_EQ(p->port, 80);
  EXPECT_EQ(p->path, "/a/b.jpg?x=1");
  EXPECT_EQ(p->Origin(), "http://example.com:80");
  EXPECT_EQ(ParseHttpUrl("https://[::1]:8443/").value().host, "::1");
  EXPECT_EQ(ParseHttpUrl("ftp://x/y").error().code, "scheme");
  EXPECT_EQ(ParseHttpUrl("file:///etc/passwd").error().code, "scheme");
  EXPECT_EQ(ParseHttpUrl("example.com/x.jpg").error().code, "bad-url");
  EXPECT_EQ(ParseHttpUrl("http://a b/").error().code, "bad-url");
  EXPECT_EQ(ResolveUrl("http://h/a/b.html", "c.png"), "http://h/a/c.png");
  EXPECT_EQ(ResolveUrl("http://h/a/b.html", "/c.png"), "http://h/c.png");
  EXPECT_EQ(ResolveUrl("http://h/a/b.html", "//cdn/c.png"), "http://cdn/c.png");
  EXPECT_EQ(ResolveUrl("http://h/a/b.html", "../c.png#frag"), "http://h/c.png");
  EXPECT_EQ(ResolveUrl("http://h/a/", "data:image/png;base64,xx"), "");
}

TEST(FetchRobots, GroupsLongestMatchAndWildcards) {
  const char* txt =
      "# comment\n"
      "User-agent: otherbot\nDisallow: /\n\n"
      "User-agent: *\nDisallow: /private/\nAllow: /private/ok\nDisallow: /*.gif$\nCrawl-delay: 2\n";
  RobotsRules r = RobotsRules::Parse(txt, "imgpipe/0.1 (+https://x)");
  EXPECT_TRUE(r.Allowed("/public/a.jpg"));
  EXPECT_FALSE(r.Allowed("/private/a.jpg"));
  EXPECT_TRUE(r.Allowed("/private/ok.jpg"));
  EXPECT_FALSE(r.Allowed("/x/y.gif"));
  EXPECT_TRUE(r.Allowed("/x/y.gif?z"));
  EXPECT_TRUE(r.Allowed("/robots.txt"));
  EXPECT_EQ(r.crawl_delay(), 2);
  RobotsRules other = RobotsRules::Parse(txt, "otherbot/2");
  EXPECT_FALSE(other.Allowed("/public/a.jpg"));
  RobotsRules mine = RobotsRules::Parse("User-agent: imgpipe\nDisallow: /a\nUser-agent: *\nDisallow: /\n", "imgpipe/1");
  EXPECT_TRUE(mine.Allowed("/b"));
  EXPECT_FALSE(mine.Allowed("/a/x"));
  EXPECT_TRUE(RobotsRules::Parse("User-agent: *\nDisallow:\n", "x").Allowed("/anything"));
}

TEST(FetchRobots, XRobotsTag) {
  EXPECT_EQ(XRobotsOptOut("noai", "imgpipe/1"), "noai");
  EXPECT_EQ(XRobotsOptOut("index, NoImageAI", "imgpipe/1"), "noimageai");
  EXPECT_EQ(XRobotsOptOut("none", "imgpipe/1"), "none");
  EXPECT_EQ(XRobotsOptOut("noindex, nofollow", "imgpipe/1"), "noindex");
  EXPECT_EQ(XRobotsOptOut("nofollow, noarchive", "imgpipe/1"), "");
  EXPECT_EQ(XRobotsOptOut("googlebot: noindex", "imgpipe/1"), "");
  EXPECT_EQ(XRobotsOptOut("imgpipe: noai", "imgpipe/1"), "noai");
  EXPECT_EQ(XRobotsOptOut("unavailable_after: 25 Jun 2010 15:00:00 PST", "imgpipe/1"), "");
}

TEST(FetchProbe, SizesFromPartialHeaders) {
  using testing::MakePattern;
  auto png = testing::MakePng(MakePattern(33, 21, 3));
  ProbeResult p = ProbeImage(std::span(png).first(24), false);
  EXPECT_EQ(p.state, ProbeState::kImage);
  EXPECT_EQ(p.width, 33);
  EXPECT_EQ(p.height, 21);
  auto jpg = testing::MakeJpeg(MakePattern(70, 50, 3));
  // The JPEG's SOF comes after the quantisation tables: a prefix that holds it is enough.
  p = ProbeImage(std::span(jpg).first(std::min<size_t>(jpg.size(), 400)), false);
  EXPECT_EQ(p.width, 70);
  EXPECT_EQ(p.height, 50);
  p = ProbeImage(std::span(jpg).first(20), false);
  EXPECT_EQ(p.state, ProbeState::kImage);
  EXPECT_EQ(p.width, 0);
  for (bool lossless : {false, true}) {
    auto webp = testing::MakeWebp(MakePattern(45, 17, 3), lossless);
    p = ProbeImage(std::span(webp).first(30), false);
    EXPECT_EQ(p.width, 45) << lossless;
    EXPECT_EQ(p.height, 17) << lossless;
  }
  std::vector<std::array<uint8_t, 3>> pal = {{0, 0, 0}, {255, 255, 255}};
  auto gif = testing::MakeGif(9, 7, std::vector<uint8_t>(63, 1), pal);
  p = ProbeImage(std::span(gif).first(16), false);
  EXPECT_EQ(p.width, 9);
  EXPECT_EQ(p.height, 7);
  auto bomb = testing::MakePngHeaderBomb(100000, 100000);
  p = ProbeImage(std::span(bomb).first(24), false);
  EXPECT_EQ(p.width * p.height, int64_t(100000) * 100000);
  std::string html = "<!doctype html><html><head><title>x</title></head><body>hello there</body></html>";
  p = ProbeImage(std::span(reinterpret_cast<const uint8_t*>(html.data()), html.size()), false);
  EXPECT_EQ(p.state, ProbeState::kNotImage);
  p = ProbeImage(std::span(reinterpret_cast<const uint8_t*>(html.data()), 8), false);
  EXPECT_EQ(p.state, ProbeState::kNeedMore);
}

TEST(FetchHtml, ImagesAndLinks) {
  std::string html =
      "<html><head><base href=\"http://cdn.example/b/\"><meta property=\"og:image\" content=\"og.jpg\"></head>"
      "<body><img src=\"a.jpg\" alt=\"A cat\"><img src=\"a.jpg\"><img srcset=\"s.jpg 320w, l.jpg 1280w, m.jpg 640w\" "
      "src=\"s.jpg\"><picture><source srcset=\"p1.webp 1x, p2.webp 2x\"><img src=\"p.jpg\" alt=\"pic\"></picture>"
      "<a href=\"/photos/big.PNG?x=1\"> Big\n photo </a><a href=\"next.html\">n</a><a href=\"javascript:x()\">j</a>"
      "<img src=\"data:image/png;base64,AAAA\"></body></html>";
  PageLinks l = ExtractPageLinks(html, "http://site.example/dir/page.html");
  std::vector<std::string> urls;
  for (auto& im : l.images) urls.push_back(im.url);
  EXPECT_EQ(urls, (std::vector<std::string>{"http://cdn.example/b/og.jpg", "http://cdn.example/b/a.jpg",
                                            "http://cdn.example/b/l.jpg", "http://cdn.example/b/p2.webp",
                                            "http://cdn.example/photos/big.PNG?x=1"}));
  EXPECT_EQ(l.images[1].alt, "A cat");
  EXPECT_EQ(l.images[3].alt, "pic");
  EXPECT_EQ(l.images[4].alt, "Big photo");
  EXPECT_EQ(l.pages, (std::vector<std::string>{"http://cdn.example/b/next.html"}));
  EXPECT_EQ(LargestSrcsetCandidate("a.jpg, b.jpg 3x, c.jpg 2x"), "b.jpg");
  EXPECT_EQ(LargestSrcsetCandidate("a.jpg 100w,b.jpg 50w"), "a.jpg");
  EXPECT_EQ(LargestSrcsetCandidate(""), "");
}

TEST(FetchScheduler, FairAcrossHostsWithLimitsAndBackoff) {
  HostLimits lim;
  lim.per_host = 2;
  lim.rate = 0;
  lim.breaker_failures = 2;
  HostScheduler s(lim);
  for (uint64_t i = 0; i < 5; ++i) s.Enqueue("slow", i);
  s.Enqueue("fast", 100);
  s.Enqueue("fast", 101);
  auto picked = s.Pick(3, 0);
  ASSERT_EQ(picked.size(), 3u);
  EXPECT_EQ(picked[0].first, "slow");
  EXPECT_EQ(picked[1].first, "fast");  // interleaved, not all of "slow" first
  EXPECT_EQ(picked[2].first, "slow");
  EXPECT_EQ(s.Pick(10, 0).size(), 1u);  // slow is at its per-host limit; fast's last item
  s.Finished("slow", true, 0);
  s.Backoff("slow", 10);
  EXPECT_TRUE(s.Pick(10, 5).empty());
  EXPECT_EQ(s.Pick(10, 10).size(), 1u);
  s.Finished("slow", false, 11);
  s.Finished("slow", false, 11);
  EXPECT_TRUE(s.CircuitOpen("slow", 12));
  EXPECT_EQ(s.Drain("slow").size(), 2u);
  EXPECT_EQ(s.queued(), 0u);

  HostLimits rated;
  rated.rate = 2;
  HostScheduler r(rated);
  for (uint64_t i = 0; i < 4; ++i) r.Enqueue("h", i);
  EXPECT_EQ(r.Pick(10, 100).size(), 1u);
  EXPECT_EQ(r.Pick(10, 100.2).size(), 0u);
  EXPECT_EQ(r.Pick(10, 100.5).size(), 1u);
  EXPECT_NEAR(r.NextWake(100.5), 0.5, 1e-9);
}

TEST(FetchJournal, TornLineIsRepairedAndOutcomesSettle) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "imgpipe-journal-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string path = tmpl + "/j";
  {
    std::ofstream f(path);
    f << "{\"url\":\"a\",\"ok\":true,\"sha256\":\"00\"}\n{\"url\":\"b\",\"ok\":false,\"code\":\"http-404\"}\n"
      << "{\"url\":\"c\",\"ok\":false,\"code\":\"timeout\"}\n{\"url\":\"d\",\"o";
  }
  {
    Journal j;
    ASSERT_TRUE(j.Open(path).ok());
    EXPECT_TRUE(j.Settled("a"));
    EXPECT_TRUE(j.Settled("b"));
    EXPECT_FALSE(j.Settled("c"));
    EXPECT_FALSE(j.Settled("d"));
    ASSERT_TRUE(j.Append("c", JournalEntry{true, false, "", "11"}).ok());
  }
  std::ifstream f(path);
  std::string all((std::istreambuf_iterator<char>(f)), {});
  EXPECT_EQ(all.find("{\"url\":\"d\""), std::string::npos);
  EXPECT_NE(all.find("{\"url\":\"c\",\"ok\":true,\"sha256\":\"11\"}\n"), std::string::npos);
  Journal j2;
  ASSERT_TRUE(j2.Open(path).ok());
  EXPECT_TRUE(j2.Settled("c"));
  std::filesystem::remove_all(tmpl);
}

TEST(FetchScheduler, CircuitStaysOpenForTheCooldown) {
  HostLimits lim;
  lim.breaker_failures = 2;
  lim.breaker_cooldown = 5;
  HostScheduler s(lim);
  s.Finished("h", false, 100);
  EXPECT_FALSE(s.CircuitOpen("h", 100));
  s.Finished("h", false, 101);
  EXPECT_TRUE(s.CircuitOpen("h", 101));
  EXPECT_TRUE(s.CircuitOpen("h", 105.9));
  EXPECT_FALSE(s.CircuitOpen("h", 106.1));
  EXPECT_FALSE(s.CircuitOpen("other", 101));
}

TEST(FetchJournal, UncommittedBatchIsDroppedAndTheLastMarkRead) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "imgpipe-journal-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string path = tmpl + "/j";
  std::string committed = "{\"commit\":{}}\n{\"url\":\"a\",\"ok\":true}\n"
                          "{\"commit\":{\"out\":120,\"dev\":5,\"ino\":7,\"path\":\"/x/out\"}}\n";
  { std::ofstream(path) << committed << "{\"url\":\"b\",\"ok\":true}\n{\"url\":\"c\",\"o"; }
  {
    Journal j;
    ASSERT_TRUE(j.Open(path).ok());
    EXPECT_TRUE(j.Settled("a"));
    EXPECT_FALSE(j.Settled("b"));  // its batch never committed: its record is cut from the output
    ASSERT_NE(j.last_mark(), nullptr);
    EXPECT_TRUE(j.last_mark()->has_offset);
    EXPECT_EQ(j.last_mark()->offset, 120u);
    EXPECT_EQ(j.last_mark()->ino, 7u);
    EXPECT_EQ(j.last_mark()->path, "/x/out");
    EXPECT_EQ(std::filesystem::file_size(path), committed.size());
    OutputMark m;
    m.has_offset = true;
    m.offset = 200;
    ASSERT_TRUE(j.Commit({{"b", JournalEntry{true, false, "", "bb"}}}, m).ok());
  }
  Journal j2;
  ASSERT_TRUE(j2.Open(path).ok());
  EXPECT_TRUE(j2.Settled("b"));
  EXPECT_EQ(j2.last_mark()->offset, 200u);
  std::filesystem::remove_all(tmpl);
}

TEST(FetchResume, OutputIsCutBackToTheLastCommit) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "imgpipe-resume-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string a = tmpl + "/a", b = tmpl + "/b";
  { std::ofstream(a) << std::string(100, 'x'); }
  struct stat st {};
  ASSERT_EQ(stat(a.c_str(), &st), 0);
  OutputMark last;
  last.has_offset = true;
  last.offset = 60;
  last.dev = uint64_t(st.st_dev);
  last.ino = uint64_t(st.st_ino);
  last.path = a;
  std::vector<std::string> notes;
  {  // the same file, appended to (>>): cut to 60, writes go on from there
    int fd = open(a.c_str(), O_WRONLY | O_APPEND);
    OutputPosition pos;
    auto m = pos.Resume(fd, "", false, &last, &notes);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->offset, 60u);
    EXPECT_EQ(std::filesystem::file_size(a), 60u);
    ASSERT_EQ(write(fd, "yy", 2), 2);
    EXPECT_EQ(pos.Now().offset, 62u);
    close(fd);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("back from 100 to 60"), std::string::npos) << notes[0];
  }
  {  // another output file (-o b): the previous one is found by name and inode and cut back
    std::filesystem::resize_file(a, 90);
    { std::ofstream(b) << "old"; }
    int fd = open(b.c_str(), O_WRONLY);
    OutputPosition pos;
    auto m = pos.Resume(fd, b, true, &last, &notes);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::filesystem::file_size(a), 60u);
    EXPECT_EQ(std::filesystem::file_size(b), 0u);  // -o without a commit of its own starts empty
    EXPECT_EQ(m->path, b);
    close(fd);
  }
  {  // the same file but shorter than the commit says: refused
    std::filesystem::resize_file(a, 10);
    int fd = open(a.c_str(), O_WRONLY);
    OutputPosition pos;
    auto m = pos.Resume(fd, a, true, &last, &notes);
    EXPECT_FALSE(m.ok());
    if (!m.ok()) {
      EXPECT_NE(m.error().message.find("emptied or rewritten"), std::string::npos);
    }
    EXPECT_EQ(std::filesystem::file_size(a), 10u);
    close(fd);
  }
  std::filesystem::remove_all(tmpl);
}

TEST(FetchResume, StaleStagedFilesOfDeadProcessesAreRemoved) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "imgpipe-stale-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);  // now a pid no process has
  std::string sha(64, 'a');
  std::string dead = tmpl + "/" + sha + ".png.tmp." + std::to_string(child) + ".3";
  std::string alive = tmpl + "/" + sha + ".jpg.tmp." + std::to_string(getpid()) + ".1";
  std::string other = tmpl + "/notes.tmp." + std::to_string(child) + ".1";
  std::string done = tmpl + "/" + sha + ".png";
  for (const std::string& f : {dead, alive, other, done}) std::ofstream(f) << "x";
  EXPECT_EQ(RemoveStaleStagedFiles(tmpl), 1u);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(alive));
  EXPECT_TRUE(std::filesystem::exists(other));
  EXPECT_TRUE(std::filesystem::exists(done));
  std::filesystem::remove_all(tmpl);
}

TEST(FetchSummary, FailureClasses) {
  EXPECT_EQ(FailureClass("http-404"), "http-4xx");
  EXPECT_EQ(FailureClass("http-410"), "http-4xx");
  EXPECT_EQ(FailureClass("http-503"), "http-5xx");
  EXPECT_EQ(FailureClass("http-304"), "http-other");
  EXPECT_EQ(FailureClass("noai"), "opt-out");
  EXPECT_EQ(FailureClass("too-many-redirects"), "redirect-limit");
  EXPECT_EQ(FailureClass("truncated"), "network");
  EXPECT_EQ(FailureClass("http-error"), "network");
  for (std::string same : {"dns", "connect", "timeout", "tls", "too-large", "not-image", "robots", "private-address"})
    EXPECT_EQ(FailureClass(same), same);
}

TEST(FetchShard, Parse) {
  uint32_t i, n;
  EXPECT_TRUE(ParseShard("0/4", &i, &n));
  EXPECT_EQ(i, 0u);
  EXPECT_EQ(n, 4u);
  EXPECT_TRUE(ParseShard("3/4", &i, &n));
  EXPECT_FALSE(ParseShard("4/4", &i, &n));
  EXPECT_FALSE(ParseShard("1/0", &i, &n));
  EXPECT_FALSE(ParseShard("a/2", &i, &n));
  EXPECT_FALSE(ParseShard("1", &i, &n));
}

}  // namespace
}  // namespace imgpipe
