module github.com/momoanalytics/momo

go 1.26
