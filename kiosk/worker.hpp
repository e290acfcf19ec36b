// One background thread running closures in order (saves, photo processing, slip recovery), so
// that nothing slow runs on the kiosk's main thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace lapor::kiosk {

class Worker {
  public:
    Worker();
    // Runs what is queued, then joins.
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;
    void run(std::function<void()> job);

  private:
    void loop();
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace lapor::kiosk
