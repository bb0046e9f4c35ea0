// img-pack: options -> PackToolConfig -> RunPack -> exit code.
#include <fstream>

#include "libcommon/cli.h"
#include "tools/img-pack/pack_tool.h"

int main(int argc, char** argv) {
  using namespace imgpipe;
  ToolCli cli({"img-pack", "Write records into shards: WebDataset tar, TFRecord, .npy/.npz or a "
                           "Hugging Face imagefolder; print the NDJSON index of the shards.",
               "  img-cat photos/*.jpg | img-pack --webdataset -o shards/ --max-count 1000 > index.ndjson\n"
               "  ... | img-pack --tfrecord -o tf/ --classes classes.txt --max-size 256M\n"
               "  ... | img-norm --size 224 --mean imagenet --std imagenet | img-pack --npz -o arrays/\n"
               "  ... | img-pack --imagefolder -o hf/ --shard-prefix train-"});
  cli.Add("Output")
      ("webdataset", "WebDataset tar shards: {key}.jpg|png|npy, {key}.json, {key}.cls")
      ("tfrecord", "TFRecord shards of tf.train.Example (Object Detection API keys)")
      ("npy", "one .npy array per shard, N x (record shape)")
      ("npz", "one .npz per shard: images.npy (+ labels.npy)")
      ("imagefolder", "Hugging Face imagefolder: one folder per shard, images + metadata.jsonl")
      ("o,output", "output folder (created if missing)", cxxopts::value<std::string>())
      ("shard-prefix", "shard names start with this (parallel writers: one prefix each)",
       cxxopts::value<std::string>()->default_value("shard-"))
      ("max-count", "records per shard (0: no limit)", cxxopts::value<uint64_t>()->default_value("10000"))
      ("max-size", "bytes per shard, e.g. 256M (0: no limit)", cxxopts::value<std::string>()->default_value("1G"))
      ("classes", "class names, one per line; index = line number from 0", cxxopts::value<std::string>())
      ("overwrite", "replace shards that already exist under the final names")
      ("image-format", "pixels are encoded to: auto (JPEG; PNG for alpha or 16-bit), jpeg or png",
       cxxopts::value<std::string>()->default_value("auto"))
      ("quality", "JPEG quality 1..100", cxxopts::value<int>()->default_value("95"))
      ("max-file-size", "largest image file read for records with only a `path`",
       cxxopts::value<std::string>()->default_value("1G"));
  const auto& args = cli.Parse(argc, argv);

  PackToolConfig config;
  int formats = 0;
  const std::pair<const char*, PackFormat> names[] = {
      {"webdataset", PackFormat::kWebDataset}, {"tfrecord", PackFormat::kTfRecord},
      {"npy", PackFormat::kNpy}, {"npz", PackFormat::kNpz}, {"imagefolder", PackFormat::kImageFolder}};
  for (const auto& [name, f] : names)
    if (args.count(name)) config.format = f, ++formats;
  if (formats != 1) cli.UsageError("choose exactly one of --webdataset, --tfrecord, --npy, --npz, --imagefolder");
  if (!args.count("output")) cli.UsageError("--output DIR is required");
  config.output_dir = args["output"].as<std::string>();
  config.shard_prefix = args["shard-prefix"].as<std::string>();
  if (config.shard_prefix.find('/') != std::string::npos || config.shard_prefix.find("..") != std::string::npos)
    cli.UsageError("--shard-prefix must be a plain name (no '/' or '..')");
  config.max_count = args["max-count"].as<uint64_t>();
  auto size = ParseByteSize(args["max-size"].as<std::string>());
  if (!size) cli.UsageError("--max-size: " + size.error().message);
  config.max_bytes = *size;
  if (args.count("classes")) {
    const std::string path = args["classes"].as<std::string>();
    std::ifstream in(path);
    if (!in) cli.UsageError("--classes: cannot read " + path);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) config.classes.push_back(line);
    }
    if (config.classes.empty()) cli.UsageError("--classes: " + path + " has no names");
  }
  config.overwrite = args.count("overwrite") > 0;
  const std::string image_format = args["image-format"].as<std::string>();
  if (image_format == "jpeg" || image_format == "jpg") config.image_format = ImageFormat::kJpeg;
  else if (image_format == "png") config.image_format = ImageFormat::kPng;
  else if (image_format != "auto") cli.UsageError("--image-format must be auto, jpeg or png");
  config.encode.quality = args["quality"].as<int>();
  if (config.encode.quality < 1 || config.encode.quality > 100) cli.UsageError("--quality must be 1..100");
  auto max_file = ParseByteSize(args["max-file-size"].as<std::string>());
  if (!max_file) cli.UsageError("--max-file-size: " + max_file.error().message);
  config.max_file_bytes = *max_file;
  config.driver = cli.Driver();
  config.reader = cli.Reader();
  if (config.driver.unordered) cli.UsageError("--unordered does not apply: shards keep input order");
  return RunPack(config);
}
