/** Every sentence the console's API writes (the page's own wording is in web/admin.js). */
export const adminMessages = {
  signInRequired: '请先登录',
  sessionExpired: '登录已过期,请重新登录',
  forbidden: '您的账号没有这项权限',
  crossSite: '请求来自其他网站,已拒绝',
  csrf: '页面已过期,请刷新后再试',
  wrongPassword: '用户名或密码不正确',
  signInBody: '请填写用户名和密码',
  tooManyAttempts: (seconds: number) => `登录失败次数过多,请${seconds}秒后再试`,
  signedOut: '已退出登录',
  storeUnavailable: '账号服务暂时不可用,请稍后再试',
  reportsUnavailable: '这台服务器不能管理报告,请联系技术人员',
  noFile: '请选择要上传的报告文件',
  notMultipart: '请以 multipart/form-data 上传文件(字段 file)',
  badYear: '年份应为四位数字,例如 2026',
  badField: (field: string) => `${field}太长或含有不可用的字符`,
  uploadTooLarge: '文件太大(超过 50 MB)',
  unknownReport: '没有这份报告',
  badFilter: '筛选条件不正确:from、to 为日期(2026-03-05),refused 为 1,vote 为 up 或 down',
  removed: (title: string) => `已删除:${title}`,
} as const;

/** What the audit log calls each action, for the console's table. */
export const AUDIT_ACTIONS: Record<string, string> = {
  'session.create': '登录',
  'session.delete': '退出登录',
  'session.refused': '登录失败',
  'session.limited': '登录被限制',
  'report.preview': '预览报告',
  'report.add': '添加报告',
  'report.add.failed': '添加报告失败',
  'report.remove': '删除报告',
  'questions.export': '导出问题',
};
