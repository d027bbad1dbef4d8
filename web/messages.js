// @ts-check
/**
 * Every sentence the web page writes itself, in one place so the wording can be reviewed.
 * (Answers, refusals and API errors come from the server in their own words.)
 */
export const T = {
  appTitle: '政府工作报告问答',
  tagline: '用报告原文回答',
  loading: '正在查找…',
  badgeFound: '报告原文',
  badgeNotFound: '报告中未找到',
  badgeInfo: '提示',
  asked: '问：',
  /** @param {string} reading */
  interpretedAs: (reading) => `按“${reading}”理解`,
  sourcesFound: /** @param {number} n */ (n) => `原文出处（${n} 处）`,
  sourcesRelated: /** @param {number} n */ (n) => `相关内容（${n} 处，不是答案，仅供参考）`,
  noRelated: '报告中也没有相关的段落。',
  expand: '展开整段原文',
  collapse: '收起整段原文',
  read: '在报告中阅读',
  copy: '复制引文',
  copied: '引文已复制',
  source: '出处',
  wholeParagraph: '整段原文',
  latency: /** @param {number} ms */ (ms) => `用时 ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} 毫秒`,
  network: '无法连接到服务器，请检查网络后重试。',
  errorId: /** @param {string} id */ (id) => `错误编号：${id}`,
  outlineLoading: '正在加载目录…',
  outlineError: '目录加载失败，请刷新页面重试。',
  sectionLoading: '正在打开原文…',
  sectionError: '这一部分暂时无法打开，请稍后再试。',
  wholeReport: '全文',
  back: '返回回答',
  readerLabel: '报告原文',
  feedbackAsk: '这个回答有帮助吗？',
  feedbackUp: '有帮助',
  feedbackDown: '没帮助',
  feedbackThanks: '感谢反馈！',
  statusFound: /** @param {string} answer */ (answer) => `找到答案：${answer}`,
  statusRead: /** @param {string} title */ (title) => `已打开：${title}`,
  cleared: '已清空',
  largeTextOn: '大字模式已开启',
  largeTextOff: '大字模式已关闭',
  allReports: '全部报告（在问题里说地区）',
  reportChosen: /** @param {string} title */ (title) => `已选择：${title}`,
  /** The box's placeholder; the engine's example may end in a half-width "?", shown here full-width. */
  placeholder: /** @param {string} example */ (example) => `例如：${example.replace(/\?$/, '？')}`,
  /** A card's name for assistive technology: 出处：part，section. */
  cardLabel: /** @param {string[]} crumbs */ (...crumbs) => `出处：${crumbs.join('，')}`,
  /** Under the box after an empty submit (`example`: a question the report answers, without its question mark). */
  emptyQuestion: /** @param {string | undefined} example */ (example) =>
    example ? `请输入问题，例如“${example}”` : '请输入问题。',
};

/** The sentences of the 目标一览 page (web/targets.html). */
export const TT = {
  pageTitle: '目标一览',
  loading: '正在加载目标…',
  loadError: '目标数据暂时无法加载，请稍后刷新页面重试。',
  noTargets: '已加载的报告中没有找到量化目标。',
  empty: '没有符合条件的目标',
  emptyHint: '可以放宽筛选条件再看看。',
  clearFilters: '清除全部筛选',
  allIndicators: '全部指标',
  allRegions: '全部地区',
  allYears: '全部年份',
  allKinds: '全部类别',
  indicatorOption: /** @param {string} name @param {number} regions */ (name, regions) => `${name}（${regions}个地区）`,
  yearOption: /** @param {number} year */ (year) => `${year}年`,
  reportYear: /** @param {number} year */ (year) => `${year}年报告`,
  kinds: /** @type {Record<string, string>} */ ({
    target: '今年目标',
    result: '去年完成',
    'five-year-target': '五年目标',
    'five-year-result': '五年完成',
  }),
  mainTag: '主要目标',
  count: /** @param {number} shown @param {number} total */ (shown, total) =>
    shown === total ? `共 ${total} 条目标` : `显示 ${shown} 条，共 ${total} 条`,
  status: /** @param {number} shown */ (shown) => (shown ? `已筛选出 ${shown} 条目标` : '没有符合条件的目标'),
  csv: '下载 CSV',
  csvWordsNote: '下载文件按上面的选项筛选，不含文字筛选',
  columns: {
    region: '地区',
    year: '年份',
    kind: '类别',
    indicator: '指标',
    value: '数值',
    span: '原文',
  },
  tableCaption: '各地报告中的量化目标',
  sortAsc: '升序',
  sortDesc: '降序',
  sortHint: /** @param {string} column */ (column) => `按${column}排序`,
  sorted: /** @param {string} column @param {boolean} desc */ (column, desc) => `已按${column}${desc ? '从高到低' : '从低到高'}排序`,
  sortedText: /** @param {string} column @param {boolean} desc */ (column, desc) => `已按${column}${desc ? '倒序' : '顺序'}排列`,
  wording: /** @param {string} wording */ (wording) => `报告原词：${wording}`,
  quoteLabel: '原句',
  chartTitle: /** @param {string} indicator @param {string} kind @param {string} unit */ (indicator, kind, unit) =>
    `${indicator} · ${kind}${unit ? `（单位：${unit}）` : ''}`,
  chartRange: '区间的浅色部分是上下限之间',
  chartPickIndicator: '选择一个指标即可查看对比图',
  chartPickKind: '再选择一个类别即可查看对比图',
  chartMixedUnits: '这些数值的单位或含义不同，无法放在一张图里对比',
  chartLabel: /** @param {string} indicator @param {number} n */ (indicator, n) => `${indicator}对比图，共 ${n} 项`,
};

/** The sentences of the 完成情况 tab of the 目标一览 page (web/progress.js). */
export const PT = {
  loadError: '完成情况暂时无法加载，请稍后刷新页面重试。',
  noRegions: '还没有加载任何报告。',
  yearOption: /** @param {number} year */ (year) => `${year}年`,
  count: /** @param {string} region @param {number} year @param {number} met @param {number} missed @param {number} open */ (region, year, met, missed, open) =>
    `${region}${year}年：完成 ${met} 项，未完成 ${missed} 项，不能判断 ${open} 项`,
  countTargets: /** @param {string} region @param {number} year @param {number} n */ (region, year, n) => `${region}${year}年：${n} 项目标`,
  countResults: /** @param {string} region @param {number} year @param {number} n */ (region, year, n) => `${region}${year}年：${n} 项完成数`,
  columns: { indicator: '指标', target: '目标', result: '实际', verdict: '判断' },
  tableCaption: '目标与实际完成数对照',
  reportYear: /** @param {number} year */ (year) => `${year}年报告`,
  verdicts: /** @type {Record<string, string>} */ ({
    met: '完成',
    'not-met': '未完成',
    unlike: '口径不同',
    undecidable: '不能判断',
    'no-result': '未找到实际数',
    'no-result-report': '下一年报告未加载',
    'no-target-report': '当年报告未加载',
  }),
  noTargetReport: /** @param {string} region @param {number} year */ (region, year) =>
    `${year}年的目标写在${region}${year}年的政府工作报告里，这份报告没有加载，下表只列出${year + 1}年报告写的完成数。`,
  noResultReport: /** @param {string} region @param {number} year */ (region, year) =>
    `${year}年的完成情况要看${region}${year + 1}年的政府工作报告，这份报告没有加载，下表只列出当年的目标。`,
  tolerance: '“左右”按目标上下0.5个百分点理解（数量目标按上下5%）；价格涨幅、失业率的目标按上限理解。判断由两份报告的数字比较得出。',
  said: '报告自己的表述',
  nothing: '这一年没有找到目标或完成数。',
  trendTitle: /** @param {string} indicator */ (indicator) => `${indicator}增速：目标（虚线）与实际（实线）`,
  trendLabel: /** @param {string} region @param {string} indicator @param {number} years */ (region, indicator, years) =>
    `${region}${indicator}历年目标与实际，共 ${years} 年`,
  legendTarget: '目标',
  legendResult: '实际',
  trendRange: '目标为区间时画在中值上',
  trendPoint: /** @param {number} year @param {string} what @param {string} span @param {number} reportYear */ (year, what, span, reportYear) =>
    `${year}年${what}：${span}（${reportYear}年报告）`,
};
