/** VitePress's default theme, with the home page's screenshot of the UI large enough to read. */
import DefaultTheme from "vitepress/theme";
import "./home.css";

export default DefaultTheme;
